"""Patch moto in place, idempotently: now if a module is imported, else right after its first import."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

ModulePatch = Callable[[ModuleType], None]
PATCHED_MARK = "__cloudai_patched__"

_pending: dict[str, list[ModulePatch]] = {}
_lock = threading.RLock()


def when_imported(module_name: str, patch: ModulePatch) -> None:
    """Run ``patch(module)`` once ``module_name`` is imported (at once if it already is).

    Deferring keeps ``install()`` cheap: moto's Lambda and Step Functions models take about a second to
    import, and a local cloud that never runs a function should not pay for it.
    """
    with _lock:
        module = sys.modules.get(module_name)
        if module is not None and not _initializing(module):
            patch(module)
            return
        waiting = _pending.setdefault(module_name, [])
        if patch not in waiting:
            waiting.append(patch)
        if not any(isinstance(finder, _AfterImport) for finder in sys.meta_path):
            sys.meta_path.insert(0, _AfterImport())


def patch_method(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace ``owner.name`` (a class's method or a module's function) with ``make(original)``, once."""
    original = vars(owner).get(name)
    if original is None:
        where = getattr(owner, "__qualname__", getattr(owner, "__name__", repr(owner)))
        raise AttributeError(f"{where} has no attribute {name!r} to patch; does this moto version differ?")
    if getattr(original, PATCHED_MARK, False):
        return
    replacement = make(original)
    setattr(replacement, PATCHED_MARK, True)
    replacement.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(owner, name, replacement)


def _initializing(module: ModuleType) -> bool:
    spec = getattr(module, "__spec__", None)
    return bool(getattr(spec, "_initializing", False))


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds pending modules with the normal path finder and runs their patches after they execute."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _pending:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            with _lock:
                patches = _pending.pop(fullname, [])
            for patch in patches:
                patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
