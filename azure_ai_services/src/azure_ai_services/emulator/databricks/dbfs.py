"""DBFS on local disk: ``dbfs:/path`` is ``<root>/path``; put, read, list, mkdirs, delete, block uploads."""

from __future__ import annotations

import base64
import binascii
import itertools
import shutil
import threading
from pathlib import Path, PurePosixPath
from typing import Any

from azure_ai_services.emulator.databricks.errors import (
    DatabricksError,
    already_exists,
    invalid,
    not_found,
)

#: ``dbfs/read`` answers at most this many bytes, ``dbfs/add-block`` takes at most this many
MAX_BLOCK = 1024 * 1024


def decode_base64(data: Any, field_name: str) -> bytes:
    if not isinstance(data, str):
        raise invalid(f"{field_name} must be a base64 string")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"{field_name} is not valid base64: {exc}") from exc


class Dbfs:
    """Files under ``root``; upload handles for ``create``/``add-block``/``close``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._handles: dict[int, tuple[Path, bytearray]] = {}
        self._next_handle = itertools.count(1)
        self._lock = threading.Lock()

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        with self._lock:
            self._handles.clear()

    def local(self, path: Any) -> Path:
        """The local file for ``dbfs:/a/b`` or ``/a/b``; relative paths and ``..`` are 400."""
        if not isinstance(path, str) or not path:
            raise invalid("Missing required field: path")
        plain = path.removeprefix("dbfs:")
        pure = PurePosixPath(plain)
        if not pure.is_absolute() or ".." in pure.parts:
            raise invalid(f"Path must be absolute and must not contain '..': {path}")
        return self.root.joinpath(*pure.parts[1:])

    def dbfs_path(self, local: Path) -> str:
        return "/" + local.relative_to(self.root).as_posix() if local != self.root else "/"

    def status(self, path: Any) -> dict[str, Any]:
        local = self.local(path)
        if not local.exists():
            raise not_found(f"No file or directory exists on path {path}.")
        stat = local.stat()
        return {
            "path": self.dbfs_path(local),
            "is_dir": local.is_dir(),
            "file_size": 0 if local.is_dir() else stat.st_size,
            "modification_time": int(stat.st_mtime * 1000),
        }

    def put(self, path: Any, contents: bytes, overwrite: bool) -> None:
        local = self.local(path)
        if local.is_dir():
            raise already_exists(f"A directory already exists at {path}.")
        if local.exists() and not overwrite:
            raise already_exists(f"A file or directory already exists at the input path {path}.")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(contents)

    def read(self, path: Any, offset: int, length: int) -> bytes:
        local = self.local(path)
        if local.is_dir():
            raise invalid(f"Cannot read a directory: {path}")
        if not local.exists():
            raise not_found(f"No file or directory exists on path {path}.")
        if offset < 0 or length < 0:
            raise invalid("offset and length must be non-negative")
        with local.open("rb") as handle:
            handle.seek(offset)
            return handle.read(min(length, MAX_BLOCK))

    def list(self, path: Any) -> list[dict[str, Any]]:
        local = self.local(path)
        if not local.exists():
            raise not_found(f"No file or directory exists on path {path}.")
        if local.is_file():
            return [self.status(path)]
        return [self.status(self.dbfs_path(child)) for child in sorted(local.iterdir())]

    def mkdirs(self, path: Any) -> None:
        local = self.local(path)
        if local.is_file():
            raise already_exists(f"A file exists at {path}: cannot create a directory there.")
        local.mkdir(parents=True, exist_ok=True)

    def delete(self, path: Any, recursive: bool) -> None:
        local = self.local(path)
        if not local.exists():
            return  # Databricks: deleting a missing path succeeds
        if local.is_file():
            local.unlink()
        elif recursive:
            shutil.rmtree(local)
        elif any(local.iterdir()):
            raise DatabricksError(
                400, "IO_ERROR", f"{path} is a non-empty directory: pass recursive=true to delete it"
            )
        else:
            local.rmdir()

    def create(self, path: Any, overwrite: bool) -> int:
        local = self.local(path)
        if local.exists() and not overwrite:
            raise already_exists(f"A file or directory already exists at the input path {path}.")
        handle = next(self._next_handle)
        with self._lock:
            self._handles[handle] = (local, bytearray())
        return handle

    def add_block(self, handle: Any, data: bytes) -> None:
        if len(data) > MAX_BLOCK:
            raise DatabricksError(400, "MAX_BLOCK_SIZE_EXCEEDED", "A block may hold at most 1 MB.")
        with self._lock:
            found = self._handles.get(handle) if isinstance(handle, int) else None
        if found is None:
            raise not_found(f"The handle {handle} does not exist (create one with dbfs/create).")
        found[1].extend(data)

    def close(self, handle: Any) -> None:
        with self._lock:
            found = self._handles.pop(handle, None) if isinstance(handle, int) else None
        if found is None:
            raise not_found(f"The handle {handle} does not exist (create one with dbfs/create).")
        local, data = found
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(bytes(data))
