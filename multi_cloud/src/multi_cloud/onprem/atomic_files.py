"""Crash-safe file writes: temp file in the same directory, fsync, os.replace, fsync the directory."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

TEMP_PREFIX = ".tmp-"
CHUNK = 1 << 20


def temp_path_beside(path: Path) -> Path:
    """A unique temp name in ``path``'s directory (same filesystem, so os.replace is atomic)."""
    return path.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}"


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_chunks(path: Path, chunks: Iterable[bytes], *, durable: bool = True) -> tuple[int, str]:
    """Write ``chunks`` to ``path`` atomically; return (size, md5 hex). Nothing partial is ever visible."""
    temp = temp_path_beside(path)
    digest = hashlib.md5()  # noqa: S324 - an ETag, not security
    size = 0
    try:
        with open(temp, "xb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(path.parent)
    return size, digest.hexdigest()


def write_bytes(path: Path, data: bytes, *, durable: bool = True) -> tuple[int, str]:
    return write_chunks(path, (data,), durable=durable)


def write_json(path: Path, document: Any, *, durable: bool = True, indent: int | None = None) -> None:
    """Atomically write ``document`` as JSON (compact unless ``indent``: the C encoder is much faster)."""
    write_bytes(path, json.dumps(document, indent=indent, sort_keys=True).encode(), durable=durable)


def read_chunks(handle: BinaryIO) -> Iterable[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk
