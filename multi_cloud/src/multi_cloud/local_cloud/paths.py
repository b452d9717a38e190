"""Where the background local cloud keeps its PID file, state and log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StatePaths:
    root: Path

    @property
    def pid(self) -> Path:
        return self.root / "local-cloud.pid"

    @property
    def state(self) -> Path:
        return self.root / "local-cloud.json"

    @property
    def log(self) -> Path:
        return self.root / "local-cloud.log"


def state_paths(root: Path | None = None) -> StatePaths:
    if root is None:
        from multi_cloud.core.settings import get_settings

        root = get_settings().state_dir
    root.mkdir(parents=True, exist_ok=True)
    return StatePaths(root)
