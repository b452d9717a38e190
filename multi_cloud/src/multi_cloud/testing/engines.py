"""Skip a test when an optional system engine is missing, naming the install command (never in CI)."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def _missing(reason: str) -> None:
    if os.environ.get("CLOUDAI_NO_SKIP") or os.environ.get("CI"):
        pytest.fail(f"required engine missing in CI: {reason}")
    pytest.skip(reason)


def require_binary(binary: str, apt_package: str | None = None) -> None:
    """Skip unless ``binary`` is on PATH; the reason is the apt command that installs it."""
    if shutil.which(binary) is None:
        _missing(f"{binary} is not installed: apt-get install -y {apt_package or binary}")


def require_module(module: str, pip_spec: str) -> None:
    """Skip unless Python ``module`` imports; the reason is the pip command that installs it."""
    if importlib.util.find_spec(module) is None:
        _missing(f"{module} is not installed: pip install '{pip_spec}'")
