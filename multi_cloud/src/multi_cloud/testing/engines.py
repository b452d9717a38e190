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
    """Skip unless ``binary`` is on PATH and not in ``CLOUDAI_DISABLE_BINARIES``; reason: the apt command."""
    from multi_cloud.onprem.engines.engine_imports import binary_allowed

    if shutil.which(binary) is None or not binary_allowed(binary):
        _missing(f"{binary} is not installed: apt-get install -y {apt_package or binary}")


def require_module(module: str, pip_spec: str) -> None:
    """Skip unless Python ``module`` imports; the reason is the pip command that installs it."""
    if importlib.util.find_spec(module) is None:
        _missing(f"{module} is not installed: pip install '{pip_spec}'")


def require_speech_synthesis() -> None:
    """Skip unless a text-to-speech engine (the espeakng-loader wheel or the espeak-ng binary)."""
    from multi_cloud.core.errors import MissingDependency
    from multi_cloud.onprem.engines import tts

    try:
        tts.engine()
    except MissingDependency as exc:
        _missing(str(exc))


def require_ocr(language: str = "eng") -> None:
    """Skip unless an OCR engine reads ``language`` (the rapidocr-onnxruntime wheel or tesseract)."""
    from multi_cloud.core.errors import MissingDependency
    from multi_cloud.onprem.engines import ocr

    try:
        ocr.engine(language)
    except MissingDependency as exc:
        _missing(str(exc))
