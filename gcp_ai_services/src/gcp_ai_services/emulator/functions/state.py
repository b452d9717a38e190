"""Cloud Functions' state: uploaded source archives, functions by name, their operations and runner."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import OperationStore
from multi_cloud.local_cloud.paths import state_paths

from gcp_ai_services.emulator.functions.runner import FunctionRunner


def not_found(name: str) -> GoogleError:
    return GoogleError("NOT_FOUND", f"Resource '{name}' was not found")


class FunctionsState:
    """Functions (their JSON, as ``getFunction`` answers), uploads by ``(bucket, object)``, operations."""

    def __init__(self, root: Path | None = None, log_root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="cloudai-gcp-functions-"))
        self.functions: dict[str, dict[str, Any]] = {}
        self.uploads: dict[tuple[str, str], bytes | None] = {}
        self.operations = OperationStore()
        self.runner = FunctionRunner(self.root, log_root or state_paths().root / "gcp-functions")
        self.lock = threading.RLock()

    def get(self, name: str) -> dict[str, Any]:
        with self.lock:
            found = self.functions.get(name)
            if found is None:
                raise not_found(name)
            return found

    def active(self) -> list[dict[str, Any]]:
        with self.lock:
            return [f for f in self.functions.values() if f.get("state") == "ACTIVE"]

    def reset(self) -> None:
        with self.lock:
            names = list(self.functions)
            self.functions.clear()
            self.uploads.clear()
        for name in names:
            self.runner.remove(name)

    def close(self) -> None:
        self.runner.close()
        shutil.rmtree(self.root, ignore_errors=True)
