"""Conversational Language Understanding in the emulator: authoring (import, train, deploy), runtime."""
