"""Fuzzing the local cloud over the wire: hostile HTTP, requests generated from service models, a runner."""
