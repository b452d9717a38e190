"""Custom jobs and training pipelines as Vertex reports them: the request, a state and its times."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from gcp_ai_services.emulator.vertex.resources import now

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


@dataclass
class JobRecord:
    """One ``CustomJob`` (``JOB_STATE_*``) or ``TrainingPipeline`` (``PIPELINE_STATE_*``)."""

    name: str
    body: dict[str, Any]
    state_prefix: str = "JOB_STATE_"
    state: str = "QUEUED"
    create_time: str = field(default_factory=now)
    start_time: str = ""
    end_time: str = ""
    error: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    logs: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            body = {**self.body, **self.extra, "name": self.name, "state": self.state_prefix + self.state}
            body["createTime"] = self.create_time
            body["updateTime"] = self.end_time or self.start_time or self.create_time
            if self.start_time:
                body["startTime"] = self.start_time
            if self.end_time:
                body["endTime"] = self.end_time
            if self.error is not None:
                body["error"] = self.error
        return body

    def move(self, state: str, error: dict[str, Any] | None = None) -> bool:
        """Enter ``state``; False (and no change) once the record is terminal."""
        with self.lock:
            if self.state in TERMINAL:
                return False
            self.state = state
            if state == "RUNNING":
                self.start_time = now()
            if state in TERMINAL:
                self.end_time = now()
                self.error = error
            return True
