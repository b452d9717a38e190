"""Shared helpers for the AI conformance suites: skip (locally) or fail (in CI) when an engine is missing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.errors import MissingDependency
from multi_cloud.testing.engines import _missing


@contextmanager
def engine_required() -> Iterator[None]:
    """Run the block; a MissingDependency skips the test with its install command (fails under CI)."""
    try:
        yield
    except MissingDependency as err:
        _missing(err.message)
