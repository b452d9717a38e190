"""Monitoring schedules and their executions, kept as JSON in S3 (moto has no monitoring schedules).

``s3://<artifact bucket>/monitoring-schedules/<name>.json`` holds the schedule (endpoint, baseline,
output location, cron expression) and the summary of each execution, newest last.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from multi_cloud.core.errors import NotFound
from multi_cloud.core.uris import split_uri

from aws_ai_services.storage.s3 import S3Storage

PREFIX = "monitoring-schedules/"


@dataclass(frozen=True)
class MonitoringExecution:
    """One run of a schedule over captured traffic (``CompletedWithViolations`` when anything failed)."""

    schedule: str
    status: str  # Completed | CompletedWithViolations | Failed
    scheduled_time: str
    records: int
    report_uri: str = ""
    violations: tuple[dict[str, str], ...] = ()
    drift: dict[str, dict[str, float]] = field(default_factory=dict)  # feature -> ks, ks_p_value, psi
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name -> state after the run
    failure_reason: str = ""


@dataclass(frozen=True)
class MonitoringSchedule:
    name: str
    endpoint: str
    statistics_uri: str
    constraints_uri: str
    output_uri: str
    capture_uri: str
    cron: str
    job_definition: str
    created: str
    status: str = "Scheduled"
    executions: tuple[MonitoringExecution, ...] = ()

    def with_execution(self, execution: MonitoringExecution) -> MonitoringSchedule:
        return replace(self, executions=(*self.executions, execution))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> MonitoringSchedule:
        data: dict[str, Any] = json.loads(text)
        runs = []
        for run in data.pop("executions", []):
            run["violations"] = tuple(run.get("violations", ()))
            runs.append(MonitoringExecution(**run))
        return cls(**data, executions=tuple(runs))


class ScheduleStore:
    def __init__(self, storage: S3Storage, bucket: str) -> None:
        self.storage = storage
        self.bucket = bucket

    def uri(self, name: str) -> str:
        return self.storage.uri(self.bucket, f"{PREFIX}{name}.json")

    def write(self, schedule: MonitoringSchedule) -> None:
        self.storage.ensure_bucket(self.bucket)
        bucket, key = split_uri(self.uri(schedule.name), scheme="s3")
        self.storage.put_object(bucket, key, schedule.to_json().encode(), content_type="application/json")

    def read(self, name: str) -> MonitoringSchedule:
        bucket, key = split_uri(self.uri(name), scheme="s3")
        try:
            return MonitoringSchedule.from_json(self.storage.get_object(bucket, key).decode())
        except NotFound as exc:
            raise NotFound(
                f"Could not find monitoring schedule {name!r}; create it with create_monitoring_schedule",
                provider="aws",
                operation="models.monitoring",
            ) from exc

    def exists(self, name: str) -> bool:
        try:
            self.read(name)
        except NotFound:
            return False
        return True

    def names(self) -> list[str]:
        try:
            listed = list(self.storage.list_objects(self.bucket, PREFIX))
        except NotFound:
            return []
        return sorted(o.key[len(PREFIX) : -len(".json")] for o in listed if o.key.endswith(".json"))

    def delete(self, name: str) -> None:
        bucket, key = split_uri(self.uri(name), scheme="s3")
        self.storage.delete_object(bucket, key)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
