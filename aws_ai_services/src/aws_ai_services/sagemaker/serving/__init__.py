"""Serving building blocks: endpoint configs and variants, autoscaling, models, payloads, metrics."""
