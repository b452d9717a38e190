"""Vertex AI in the Google emulator: custom jobs, training pipelines, models, endpoints, operations."""
