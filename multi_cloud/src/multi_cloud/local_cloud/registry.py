"""Which backends make up the local cloud: built-ins plus the ``cloudai.local_backends`` entry points."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from multi_cloud.local_cloud.backend import Backend

BUILTIN_BACKENDS: dict[str, str] = {
    "moto": "multi_cloud.local_cloud.moto_backend:MotoBackend",
}


def backend_targets() -> dict[str, str]:
    """Backend name -> "module:Class", built-ins first, then installed entry points."""
    targets = dict(BUILTIN_BACKENDS)
    for ep in entry_points(group="cloudai.local_backends"):
        targets.setdefault(ep.name, ep.value)
    return targets


def load_backend(target: str) -> type[Backend]:
    module_name, _, class_name = target.partition(":")
    cls: type[Backend] = getattr(importlib.import_module(module_name), class_name)
    return cls
