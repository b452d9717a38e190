"""Job runs and their task runs: the ``state`` a run reports and the output a task leaves."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

TERMINAL = ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")
TASK_KINDS = ("spark_python_task", "notebook_task", "python_wheel_task", "spark_jar_task", "sql_task")


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class RunState:
    life_cycle_state: str = "PENDING"
    result_state: str = ""
    state_message: str = ""
    user_cancelled_or_timedout: bool = False

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "life_cycle_state": self.life_cycle_state,
            "state_message": self.state_message,
            "user_cancelled_or_timedout": self.user_cancelled_or_timedout,
        }
        if self.result_state:
            body["result_state"] = self.result_state
        return body

    def end(self, result: str, message: str = "", life_cycle: str = "TERMINATED") -> None:
        self.life_cycle_state, self.result_state, self.state_message = life_cycle, result, message


@dataclass
class TaskRun:
    run_id: int
    task: dict[str, Any]
    state: RunState = field(default_factory=RunState)
    start_time: int = 0
    end_time: int = 0
    cluster_id: str = ""
    logs: str = ""
    error: str = ""
    error_trace: str = ""
    notebook_result: str | None = None

    @property
    def task_key(self) -> str:
        return str(self.task.get("task_key", ""))

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            **self.task,
            "run_id": self.run_id,
            "task_key": self.task_key,
            "state": self.state.to_json(),
            "start_time": self.start_time,
            "end_time": self.end_time,
            "setup_duration": 0,
            "execution_duration": max(0, self.end_time - self.start_time) if self.end_time else 0,
            "cleanup_duration": 0,
            "attempt_number": 0,
        }
        if self.cluster_id:
            body["cluster_instance"] = {"cluster_id": self.cluster_id}
        return body


@dataclass
class JobRun:
    run_id: int
    job_id: int | None
    run_name: str
    tasks: list[TaskRun]
    run_type: str  # JOB_RUN or SUBMIT_RUN
    number_in_job: int
    host: str
    overriding: dict[str, Any] = field(default_factory=dict)
    job_clusters: list[dict[str, Any]] = field(default_factory=list)
    state: RunState = field(default_factory=RunState)
    start_time: int = field(default_factory=now_ms)
    end_time: int = 0

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "run_id": self.run_id,
            "number_in_job": self.number_in_job,
            "run_name": self.run_name,
            "run_type": self.run_type,
            "state": self.state.to_json(),
            "start_time": self.start_time,
            "end_time": self.end_time,
            "setup_duration": 0,
            "execution_duration": max(0, self.end_time - self.start_time) if self.end_time else 0,
            "cleanup_duration": 0,
            "run_duration": max(0, self.end_time - self.start_time) if self.end_time else 0,
            "creator_user_name": "local-user@cloudai.local",
            "trigger": "ONE_TIME",
            "format": "MULTI_TASK",
            "tasks": [task.to_json() for task in self.tasks],
            "job_clusters": self.job_clusters,
            "run_page_url": f"{self.host}/#job/{self.job_id or 0}/run/{self.run_id}",
        }
        if self.job_id is not None:
            body["job_id"] = self.job_id
        if self.overriding:
            body["overriding_parameters"] = self.overriding
        return body
