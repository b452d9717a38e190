"""``model.tar.gz`` in and out: pack a model directory, unpack an archive safely."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from multi_cloud.core.archives import safe_extractall


def pack_model_dir(model_dir: Path) -> bytes:
    """The directory as ``.tar.gz`` bytes (files at the archive root, as SageMaker packs a model)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(model_dir.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(model_dir)))
    return buffer.getvalue()


def unpack_model(archive: bytes, dest: Path) -> Path:
    """Extract ``.tar.gz`` bytes into ``dest`` safely (no absolute paths or ``..``)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        safe_extractall(tar, dest)
    return dest
