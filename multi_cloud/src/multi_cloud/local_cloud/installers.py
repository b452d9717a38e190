"""One-time installers of local-cloud components (``cloudai.local_installers`` entry points): Azurite, ..."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points

from multi_cloud.core.errors import NotFound


def installers() -> dict[str, str]:
    """Component name -> "module:function" (the function installs it and returns where it went)."""
    return {ep.name: ep.value for ep in entry_points(group="cloudai.local_installers")}


def run_installer(component: str) -> str:
    """Install ``component`` (a no-op when present); returns a line saying where it is."""
    import importlib

    known = installers()
    if component not in known:
        names = ", ".join(sorted(known)) or "none (install a provider package's extra)"
        raise NotFound(f"no installer for {component!r}; known: {names}")
    module_name, _, function_name = known[component].partition(":")
    install: Callable[[], object] = getattr(importlib.import_module(module_name), function_name)
    return f"{component} installed in {install()}"
