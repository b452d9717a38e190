"""Import an optional engine (Python module or system binary) or raise MissingDependency naming the fix."""

from __future__ import annotations

import importlib
import shutil
from types import ModuleType

from multi_cloud.core.errors import MissingDependency


def import_engine(module: str, install: str, *, purpose: str = "") -> ModuleType:
    """Import ``module``; when absent raise MissingDependency whose message is the ``install`` command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        needed = f" (needed for {purpose})" if purpose else ""
        raise MissingDependency(f"Python module {module!r} is not installed{needed}: {install}") from exc


def find_binary(binary: str, install: str, *, purpose: str = "") -> str:
    """The path of ``binary`` on PATH; when absent raise MissingDependency with the ``install`` command."""
    path = shutil.which(binary)
    if path is None:
        needed = f" (needed for {purpose})" if purpose else ""
        raise MissingDependency(f"{binary} is not installed{needed}: {install}")
    return path


OPENCV_INSTALL = "pip install 'opencv-python-headless>=4.9,<5'"
