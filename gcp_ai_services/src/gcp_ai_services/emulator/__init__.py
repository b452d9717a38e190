"""The local cloud's Google side: one loopback server for the Google AI APIs, plus gcp-storage-emulator."""
