"""The workspace tree: directories, notebooks (SOURCE format, with a language) and files, by absolute path."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from azure_ai_services.emulator.databricks.errors import DatabricksError, already_exists, invalid, not_found

LANGUAGES = {"PYTHON": "py", "SQL": "sql", "SCALA": "scala", "R": "r"}
#: the first line of a SOURCE-format notebook, by language
NOTEBOOK_HEADERS = {
    "PYTHON": "# Databricks notebook source",
    "SQL": "-- Databricks notebook source",
    "SCALA": "// Databricks notebook source",
    "R": "# Databricks notebook source",
}


@dataclass
class WorkspaceObject:
    path: str
    object_type: str  # DIRECTORY, NOTEBOOK or FILE
    object_id: int
    language: str = ""
    content: bytes = b""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "path": self.path,
            "object_type": self.object_type,
            "object_id": self.object_id,
        }
        if self.language:
            body["language"] = self.language
        if self.object_type != "DIRECTORY":
            body["size"] = len(self.content)
        return body


def normalize(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise invalid("Missing required field: path")
    pure = PurePosixPath(path.removeprefix("/Workspace"))
    if not pure.is_absolute() or ".." in pure.parts:
        raise invalid(f"Path ({path}) must be absolute and must not contain '..'.")
    return str(pure)


class WorkspaceTree:
    """Objects by normalized path; ``/``, ``/Users``, ``/Shared`` and ``/Repos`` always exist."""

    def __init__(self) -> None:
        self._objects: dict[str, WorkspaceObject] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._objects = {}
            for root in ("/", "/Users", "/Shared", "/Repos"):
                self._objects[root] = WorkspaceObject(root, "DIRECTORY", next(self._ids))

    def get(self, path: Any) -> WorkspaceObject:
        key = normalize(path)
        with self._lock:
            found = self._objects.get(key)
        if found is None:
            raise not_found(f"Path ({path}) doesn't exist.")
        return found

    def mkdirs(self, path: Any) -> None:
        key = normalize(path)
        with self._lock:
            parts = PurePosixPath(key).parts
            for depth in range(2, len(parts) + 1):
                sub = str(PurePosixPath(*parts[:depth]))
                existing = self._objects.get(sub)
                if existing is None:
                    self._objects[sub] = WorkspaceObject(sub, "DIRECTORY", next(self._ids))
                elif existing.object_type != "DIRECTORY":
                    raise DatabricksError(
                        400, "RESOURCE_ALREADY_EXISTS", f"Path ({sub}) already exists and is not a directory."
                    )

    def put(self, path: Any, content: bytes, language: str, overwrite: bool) -> WorkspaceObject:
        """A notebook when ``language`` is given (SOURCE format), else a workspace file."""
        key = normalize(path)
        if language and language not in LANGUAGES:
            raise invalid(f"Invalid language {language}: use one of {', '.join(LANGUAGES)}.")
        parent = str(PurePosixPath(key).parent)
        with self._lock:
            folder = self._objects.get(parent)
            if folder is None or folder.object_type != "DIRECTORY":
                raise not_found(f"The parent folder ({parent}) does not exist.")
            existing = self._objects.get(key)
            if existing is not None and (not overwrite or existing.object_type == "DIRECTORY"):
                raise already_exists(f"Path ({key}) already exists.")
            kind = "NOTEBOOK" if language else "FILE"
            made = WorkspaceObject(key, kind, next(self._ids), language, content)
            self._objects[key] = made
            return made

    def list(self, path: Any) -> list[WorkspaceObject]:
        folder = self.get(path)
        if folder.object_type != "DIRECTORY":
            return [folder]
        prefix = folder.path.rstrip("/") + "/"
        with self._lock:
            return [
                item
                for key, item in sorted(self._objects.items())
                if key.startswith(prefix) and "/" not in key[len(prefix) :] and key != folder.path
            ]

    def delete(self, path: Any, recursive: bool) -> None:
        found = self.get(path)
        children = self.list(found.path) if found.object_type == "DIRECTORY" else []
        if children and not recursive:
            raise DatabricksError(
                400, "DIRECTORY_NOT_EMPTY", f"Folder ({found.path}) is not empty: pass recursive=true."
            )
        prefix = found.path.rstrip("/") + "/"
        with self._lock:
            for key in [k for k in self._objects if k == found.path or k.startswith(prefix)]:
                del self._objects[key]
