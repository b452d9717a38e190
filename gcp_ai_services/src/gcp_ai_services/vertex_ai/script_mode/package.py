"""Build the source distribution a script-mode Vertex job installs: the launchers plus the learner's code."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from multi_cloud.core.script_mode import LAUNCHER_MODULE as SHARED_LAUNCHER
from multi_cloud.core.script_mode import launcher_source

LAUNCHER_MODULE = "cloudai_launcher"
PACKAGE_NAME = "cloudai_trainer"
SETUP_PY = """from setuptools import setup

setup(
    name="cloudai_trainer",
    version="0.1",
    py_modules=["cloudai_launcher", "cloudai_script_mode"],
    packages=["cloudai_source"],
    package_data={"cloudai_source": ["**/*"]},
)
"""
SKIPPED = frozenset({"__pycache__", ".git", ".venv", ".ipynb_checkpoints"})


def training_package(entry_point: Path, source_dir: Path | None) -> bytes:
    """``cloudai_trainer-0.1.tar.gz``: ``setup.py``, the launchers (Vertex's, the shared one),
    ``cloudai_source/`` (``source_dir``, or just the entry point's file) — what
    ``pythonPackageSpec.packageUris`` names."""
    root = f"{PACKAGE_NAME}-0.1"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        _add_bytes(archive, f"{root}/setup.py", SETUP_PY.encode())
        launcher = Path(__file__).with_name(f"{LAUNCHER_MODULE}.py")
        _add_bytes(archive, f"{root}/{LAUNCHER_MODULE}.py", launcher.read_bytes())
        _add_bytes(archive, f"{root}/{SHARED_LAUNCHER}.py", launcher_source())
        _add_bytes(archive, f"{root}/cloudai_source/__init__.py", b"")
        if source_dir is None:
            _add_bytes(archive, f"{root}/cloudai_source/{entry_point.name}", entry_point.read_bytes())
        else:
            for path in sorted(source_dir.rglob("*")):
                relative = path.relative_to(source_dir)
                if path.is_file() and not SKIPPED & set(relative.parts):
                    _add_bytes(archive, f"{root}/cloudai_source/{relative.as_posix()}", path.read_bytes())
    return buffer.getvalue()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))
