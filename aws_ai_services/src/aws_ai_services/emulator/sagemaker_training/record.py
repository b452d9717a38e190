"""A moto ``FakeTrainingJob`` moved through SageMaker's statuses as its local run proceeds.

``DescribeTrainingJob`` serialises the job's attributes, so the run updates them in place: status and
secondary status, ``SecondaryStatusTransitions`` (each closed when the next starts), start/end times,
``FailureReason``, ``FinalMetricDataList`` and the billed seconds. Lists are replaced, never mutated, so a
concurrent describe sees either the old value or the new one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

#: SageMaker truncates FailureReason to this many characters
MAX_FAILURE_REASON = 1024

MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Stopping": "Stopping the training job",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "Training job exceeded MaxRuntimeInSeconds provided",
    "Interrupted": "The spot instance was interrupted",
    "Restarting": "Spot capacity is available again: restarting the training job",
    "MaxWaitTimeExceeded": "Training job exceeded MaxWaitTimeInSeconds provided",
}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def aws_seconds(seconds: float) -> int:
    """SageMaker reports whole seconds and bills at least one."""
    return max(1, math.ceil(seconds))


def shorten(reason: str) -> str:
    """Fit SageMaker's limit, keeping the start (the error kind) and the end (the error itself)."""
    if len(reason) <= MAX_FAILURE_REASON:
        return reason
    head = MAX_FAILURE_REASON // 4
    return reason[:head] + "\n...\n" + reason[-(MAX_FAILURE_REASON - head - 5) :]


class TrainingRecord:
    """The control plane's view of one job, written by its run."""

    def __init__(self, job: Any) -> None:
        self.job = job

    @property
    def name(self) -> str:
        return str(self.job.training_job_name)

    @property
    def status(self) -> str:
        return str(self.job.training_job_status)

    def created(self) -> None:
        """What SageMaker shows right after ``CreateTrainingJob``: in progress, starting, nothing measured."""
        now = utc_now()
        self.job.training_job_status = "InProgress"
        self.job.secondary_status = "Starting"
        self.job.secondary_status_transitions = [_transition("Starting", now)]
        self.job.final_metric_data_list = []
        self.job.training_start_time = None
        self.job.training_end_time = None
        self.job.last_modified_time = now

    def move(self, secondary: str, message: str = "") -> None:
        now = utc_now()
        transitions = [dict(t) for t in self.job.secondary_status_transitions]
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1]["EndTime"] = now
        transitions.append(_transition(secondary, now, message))
        if secondary == "Training" and self.job.training_start_time is None:
            self.job.training_start_time = now
        self.job.secondary_status_transitions = transitions
        self.job.secondary_status = secondary
        self.job.last_modified_time = now

    def stopping(self) -> None:
        self.job.training_job_status = "Stopping"
        self.move("Stopping")

    def finish(
        self,
        status: str,
        secondary: str,
        *,
        seconds: float,
        billable_seconds: int,
        metrics: Mapping[str, float],
        failure_reason: str = "",
    ) -> None:
        now = utc_now()
        self.move(secondary)
        transitions = [dict(t) for t in self.job.secondary_status_transitions]
        transitions[-1]["EndTime"] = now
        self.job.secondary_status_transitions = transitions
        self.job.final_metric_data_list = [
            {"MetricName": name, "Value": float(value), "Timestamp": now} for name, value in metrics.items()
        ]
        if failure_reason:
            self.job.failure_reason = shorten(failure_reason)
        self.job.training_start_time = self.job.training_start_time or now
        self.job.training_end_time = now
        self.job.training_time_in_seconds = aws_seconds(seconds)
        self.job.billable_time_in_seconds = billable_seconds
        self.job.training_job_status = status
        self.job.last_modified_time = now


def _transition(status: str, start: datetime, message: str = "") -> dict[str, Any]:
    return {"Status": status, "StartTime": start, "StatusMessage": message or MESSAGES.get(status, status)}
