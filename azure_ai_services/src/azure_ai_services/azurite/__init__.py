"""Azurite, Microsoft's Blob and Queue emulator (npm), run on Node.js from a wheel by the local cloud."""
