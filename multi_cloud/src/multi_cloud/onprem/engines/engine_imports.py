"""Import an optional engine (Python module or system binary) or raise MissingDependency naming the fix."""

from __future__ import annotations

import importlib
import os
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


#: Comma-separated system binaries to treat as absent (``espeak-ng,tesseract``), to try the pip-only set-up
#: of a learner's laptop on a machine that has the apt packages.
DISABLE_BINARIES_ENV = "CLOUDAI_DISABLE_BINARIES"


def binary_allowed(binary: str) -> bool:
    """False when ``CLOUDAI_DISABLE_BINARIES`` names ``binary`` (or is ``all``, ``1`` or ``true``)."""
    disabled = {b.strip().lower() for b in os.environ.get(DISABLE_BINARIES_ENV, "").split(",") if b.strip()}
    return not ({binary, "all", "1", "true"} & disabled)


def which_binary(binary: str) -> str | None:
    """``shutil.which(binary)``, honouring ``CLOUDAI_DISABLE_BINARIES``."""
    return shutil.which(binary) if binary_allowed(binary) else None


def find_binary(binary: str, install: str, *, purpose: str = "") -> str:
    """The path of ``binary`` on PATH; when absent raise MissingDependency with the ``install`` command."""
    path = which_binary(binary)
    if path is None:
        needed = f" (needed for {purpose})" if purpose else ""
        raise MissingDependency(f"{binary} is not installed{needed}: {install}")
    return path


OPENCV_INSTALL = "pip install 'opencv-python-headless>=4.9,<5'"
