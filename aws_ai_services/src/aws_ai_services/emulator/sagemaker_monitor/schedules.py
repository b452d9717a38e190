"""Monitoring schedules and their executions as the local cloud keeps them, beside moto's SageMaker state.

They live on moto's SageMaker backend object of their account and region, so moto's reset forgets them
with everything else. Each schedule keeps its executions, newest last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATE_ATTRIBUTE = "_cloudai_monitoring_schedules"


@dataclass
class Execution:
    """One monitoring execution: a processing job over a window of captured traffic."""

    schedule: str
    endpoint: str
    job_definition: str
    scheduled: datetime
    processing_job_arn: str
    report_uri: str
    status: str = "InProgress"  # -> Completed | CompletedWithViolations | Failed
    failure_reason: str = ""
    modified: datetime | None = None

    def summary(self, monitoring_type: str) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "MonitoringScheduleName": self.schedule,
            "ScheduledTime": self.scheduled,
            "CreationTime": self.scheduled,
            "LastModifiedTime": self.modified or self.scheduled,
            "MonitoringExecutionStatus": self.status,
            "ProcessingJobArn": self.processing_job_arn,
            "EndpointName": self.endpoint,
            "MonitoringJobDefinitionName": self.job_definition,
            "MonitoringType": monitoring_type,
        }
        if self.failure_reason:
            answer["FailureReason"] = self.failure_reason
        return answer


@dataclass
class Schedule:
    name: str
    arn: str
    endpoint: str
    config: dict[str, Any]
    created: datetime
    status: str = "Scheduled"
    modified: datetime | None = None
    executions: list[Execution] = field(default_factory=list)

    @property
    def job_definition(self) -> str:
        return str(self.config.get("MonitoringJobDefinitionName", ""))

    @property
    def monitoring_type(self) -> str:
        return str(self.config.get("MonitoringType") or "DataQuality")

    def description(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "MonitoringScheduleArn": self.arn,
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.monitoring_type,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified or self.created,
            "MonitoringScheduleConfig": self.config,
            "EndpointName": self.endpoint,
        }
        if self.executions:
            answer["LastMonitoringExecutionSummary"] = self.executions[-1].summary(self.monitoring_type)
        return answer

    def summary(self) -> dict[str, Any]:
        return {
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleArn": self.arn,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified or self.created,
            "MonitoringScheduleStatus": self.status,
            "EndpointName": self.endpoint,
            "MonitoringJobDefinitionName": self.job_definition,
            "MonitoringType": self.monitoring_type,
        }


def schedules(backend: Any) -> dict[str, Schedule]:
    """The schedules of one SageMaker backend (account and region)."""
    found: dict[str, Schedule] | None = backend.__dict__.get(STATE_ATTRIBUTE)
    if found is None:
        found = backend.__dict__.setdefault(STATE_ATTRIBUTE, {})
    return found
