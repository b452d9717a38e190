"""Wire protocols of the three clouds: routing, error bodies and long-running operations."""
