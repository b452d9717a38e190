"""Monitoring building blocks: data capture configuration and reading, drift alarms."""
