"""Azure AI Content Safety in the emulator: text blocklists (exact) and the analyze APIs."""
