"""Azure ML job records: the submitted properties, the status the run keeps updating, and the error."""

from __future__ import annotations

import builtins
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.jobs.store import JobStore
from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml.resources import Scope, arm_resource

TERMINAL = ("Completed", "Failed", "Canceled")


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class JobRecord:
    """One job: what was submitted (``properties``) and how it is going."""

    scope: Scope
    name: str
    properties: dict[str, Any]
    status: str = "NotStarted"
    error: dict[str, Any] | None = None
    start_time: str = ""
    end_time: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    #: what the script logged through MLflow (``metrics`` in the order they came)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    tracking_uri: str = ""
    #: ``user_logs/std_log.txt`` exists in Azurite (written when the run starts, then about once a second)
    has_log: bool = False

    @property
    def parent(self) -> str:
        """The sweep or pipeline job this one is a child of ("" for a top-level job)."""
        return str((self.properties.get("properties") or {}).get("azureml.parentrunid") or "")

    @property
    def key(self) -> str:
        return self.scope.child("jobs", self.name).lower()

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def resource(self) -> dict[str, Any]:
        properties = {**self.properties, "status": self.status}
        outputs = dict(properties.get("outputs") or {})
        for name, uri in self.outputs.items():
            outputs[name] = {**(outputs.get(name) or {"jobOutputType": "uri_folder"}), "uri": uri}
        properties["outputs"] = outputs
        properties["services"] = {"Studio": {"jobServiceType": "Studio", "endpoint": "about:blank"}}
        timing = {"StartTimeUtc": self.start_time, "EndTimeUtc": self.end_time}
        properties["properties"] = {
            **(properties.get("properties") or {}),
            **{k: v for k, v in timing.items() if v},
        }
        if self.error is not None:
            properties["error"] = self.error  # the run's error, as the run history reports it
        return arm_resource(self.scope, "jobs", self.name, properties)


class JobBook:
    """Job records by ARM id; background runs in a :class:`JobStore` (reset stops them)."""

    def __init__(self) -> None:
        self.runs = JobStore("azureml")
        self._records: dict[str, JobRecord] = {}
        self._lock = threading.Lock()

    def add(self, record: JobRecord) -> None:
        with self._lock:
            if record.key in self._records:
                raise AzureError(
                    409, "UserError", f"A job with name '{record.name}' already exists; job names are unique."
                )
            self._records[record.key] = record

    def get(self, scope: Scope, name: str) -> JobRecord:
        with self._lock:
            record = self._records.get(scope.child("jobs", name).lower())
        if record is None:
            raise AzureError(404, "UserError", f"Job '{name}' was not found in workspace {scope.workspace}.")
        return record

    def describe(self, scope: Scope, name: str) -> dict[str, Any]:
        return self.get(scope, name).resource()

    def list(self, scope: Scope) -> list[dict[str, Any]]:
        with self._lock:
            records = [r for r in self._records.values() if r.scope.id.lower() == scope.id.lower()]
        return [record.resource() for record in records if not record.parent]

    def all(self) -> builtins.list[JobRecord]:
        """Every job of every workspace (what Cost Management prices)."""
        with self._lock:
            return builtins.list(self._records.values())

    def children(self, scope: Scope, parent: str) -> builtins.list[JobRecord]:
        """A sweep's or pipeline's child jobs, in the order they were added."""
        with self._lock:
            return [
                r
                for r in self._records.values()
                if r.scope.id.lower() == scope.id.lower() and r.parent == parent
            ]

    def cancel(self, scope: Scope, name: str) -> None:
        record = self.get(scope, name)
        if not record.done:
            self.runs.stop(record.key)  # the run ends the process group and records Canceled

    def reset(self) -> None:
        self.runs.cancel_scope("azureml")
        with self._lock:
            self._records.clear()
