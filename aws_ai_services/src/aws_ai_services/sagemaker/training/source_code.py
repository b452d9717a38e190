"""Package training or inference code as ``sourcedir.tar.gz``, the way the SageMaker SDK uploads it."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument

#: never shipped to the container
SKIPPED_PARTS = frozenset({"__pycache__", ".git", ".ipynb_checkpoints", ".venv"})


def resolve_entry_point(entry_point: str, source_dir: str | None) -> tuple[Path, str]:
    """``(directory to package or the script itself, program name relative to it)``."""
    if source_dir:
        root = Path(source_dir)
        if not (root / entry_point).is_file():
            raise InvalidArgument(f"entry point {entry_point!r} is not a file inside source_dir {root}")
        return root, Path(entry_point).as_posix()
    script = Path(entry_point)
    if not script.is_file():
        raise InvalidArgument(
            f"entry point {script} does not exist; give a path to the training script, or "
            "source_dir plus an entry_point relative to it"
        )
    return script, script.name


def pack_source(source: Path) -> bytes:
    """A directory's files (or one file) as ``sourcedir.tar.gz`` bytes, paths relative to the archive root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        if source.is_file():
            tar.add(source, arcname=source.name)
        for path in sorted(source.rglob("*")) if source.is_dir() else []:
            if path.is_file() and not SKIPPED_PARTS.intersection(path.relative_to(source).parts):
                tar.add(path, arcname=path.relative_to(source).as_posix())
    return buffer.getvalue()
