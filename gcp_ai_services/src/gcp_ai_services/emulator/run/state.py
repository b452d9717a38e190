"""Cloud Run's state: services and revisions (their JSON, as the API answers them), operations, processes."""

from __future__ import annotations

import random
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import OperationStore
from multi_cloud.local_cloud.paths import state_paths

from gcp_ai_services.emulator.run.instances import Instances


def not_found(name: str) -> GoogleError:
    return GoogleError("NOT_FOUND", f"Resource '{name}' was not found")


class RunState:
    """Services and revisions by full name; each revision's process in :attr:`instances`."""

    def __init__(self, root: Path | None = None, log_root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="cloudai-gcp-run-"))
        self.services: dict[str, dict[str, Any]] = {}
        self.revisions: dict[str, dict[str, Any]] = {}
        #: revision name -> (argv, code dir, environment) to start it again
        self.launch: dict[str, tuple[list[str], Path, dict[str, str]]] = {}
        self.operations = OperationStore()
        self.instances = Instances(log_root or state_paths().root / "gcp-run")
        self.rng = random.Random()  # noqa: S311 - traffic split, not security
        self.lock = threading.RLock()

    def service(self, name: str) -> dict[str, Any]:
        with self.lock:
            found = self.services.get(name)
            if found is None:
                raise not_found(name)
            return found

    def revision(self, name: str) -> dict[str, Any]:
        with self.lock:
            found = self.revisions.get(name)
            if found is None:
                raise not_found(name)
            return found

    def revisions_of(self, service: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for n, r in sorted(self.revisions.items()) if n.startswith(service + "/revisions/")]

    def code_root(self, revision: str) -> Path:
        """Where the revision's source is unpacked."""
        return self.root / "code" / revision.replace("/", "_")

    def forget_revision(self, name: str) -> None:
        self.instances.stop(name)
        with self.lock:
            self.revisions.pop(name, None)
            launch = self.launch.pop(name, None)
        if launch is not None:
            shutil.rmtree(self.code_root(name), ignore_errors=True)

    def reset(self) -> None:
        with self.lock:
            names = list(self.revisions)
            self.services.clear()
        for name in names:
            self.forget_revision(name)
        self.operations.clear()

    def close(self) -> None:
        self.instances.close()
        shutil.rmtree(self.root, ignore_errors=True)
