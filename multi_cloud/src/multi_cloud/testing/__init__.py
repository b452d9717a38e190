"""Test support shared by every package: pytest fixtures, engine checks, the conformance suite."""
