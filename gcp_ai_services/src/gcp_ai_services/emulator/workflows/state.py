"""Workflows' state: workflows (their JSON and parsed definition), executions, operations, running threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import OperationStore
from multi_cloud.local_cloud.paths import state_paths

from gcp_ai_services.emulator.workflows.definition import Definition


def not_found(name: str) -> GoogleError:
    return GoogleError("NOT_FOUND", f"Resource '{name}' was not found")


@dataclass
class Deployed:
    workflow: dict[str, Any]
    definition: Definition


class WorkflowsState:
    """Workflows and executions by full name; each running execution's cancel event."""

    def __init__(self, log_root: Path | None = None) -> None:
        self.workflows: dict[str, Deployed] = {}
        self.executions: dict[str, dict[str, Any]] = {}
        self.cancels: dict[str, threading.Event] = {}
        self.operations = OperationStore()
        self.log_root = log_root or state_paths().root / "gcp-workflows"
        self.lock = threading.RLock()

    def workflow(self, name: str) -> Deployed:
        with self.lock:
            found = self.workflows.get(name)
            if found is None:
                raise not_found(name)
            return found

    def execution(self, name: str) -> dict[str, Any]:
        with self.lock:
            found = self.executions.get(name)
            if found is None:
                raise not_found(name)
            return found

    def log_path(self, execution: str) -> Path:
        """``projects/p/locations/l/workflows/w/executions/e`` -> its ``sys.log`` file."""
        _, project, _, location, _, workflow, _, short = execution.split("/")
        return self.log_root / project / location / workflow / f"{short}.log"

    def reset(self) -> None:
        self.close()
        with self.lock:
            self.workflows.clear()
            self.executions.clear()
        self.operations.clear()

    def close(self) -> None:
        """Cancel every running execution (each stops at its next step or sleep)."""
        with self.lock:
            events = list(self.cancels.values())
        for event in events:
            event.set()
