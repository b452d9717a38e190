"""Discover demos registered under the ``cloudai.demos`` entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points


def find_demos() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group="cloudai.demos")}
