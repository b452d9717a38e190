"""Event Grid in the emulator: topics (ARM), publishing, event subscriptions, filtered delivery."""
