"""Batch transform building blocks: the transform job options."""
