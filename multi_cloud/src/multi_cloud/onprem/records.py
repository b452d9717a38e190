"""A directory of JSON records (one file per name) that survives provider instances."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument

#: names become file names: letters, digits, '-', '_', '.', not starting with '.'
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_name(kind: str, name: str) -> str:
    """``name`` if it is a safe resource name, else InvalidArgument saying what is allowed."""
    if not NAME_PATTERN.match(name or ""):
        raise InvalidArgument(
            f"{kind} name {name!r} is not valid: use 1-128 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit (e.g. 'iris-rf-1')"
        )
    return name


def to_record(value: Any) -> Any:
    """A dataclass (or nested value) as JSON-ready data; datetimes become ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_record(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_record(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_record(v) for v in value]
    return value


def parse_datetimes(record: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """``record`` with the named ISO-string fields turned back into datetimes."""
    parsed = dict(record)
    for name in fields:
        if parsed.get(name):
            parsed[name] = datetime.fromisoformat(parsed[name])
    return parsed


class JsonStore:
    """``directory/<name>.json`` records, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def save(self, name: str, record: Mapping[str, Any]) -> None:
        target = self.path(name)
        scratch = target.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(json.dumps(record, indent=2, sort_keys=True))
        scratch.replace(target)

    def create(self, name: str, record: Mapping[str, Any]) -> bool:
        """Write a new record; False (nothing written) when ``name`` already exists."""
        try:
            with self.path(name).open("x") as handle:
                handle.write(json.dumps(record, indent=2, sort_keys=True))
        except FileExistsError:
            return False
        return True

    def load(self, name: str) -> dict[str, Any] | None:
        path = self.path(name)
        if not NAME_PATTERN.match(name or "") or not path.is_file():
            return None
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def all(self) -> list[dict[str, Any]]:
        return [record for name in self.names() if (record := self.load(name)) is not None]

    def delete(self, name: str) -> bool:
        path = self.path(name)
        if not path.is_file():
            return False
        path.unlink()
        return True
