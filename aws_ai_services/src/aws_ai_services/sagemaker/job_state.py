"""What really happened to a locally executed job, kept as a small JSON record in S3 beside its output.

moto records SageMaker jobs but reports every one ``Completed`` the moment it is created, with canned
metrics, and offers no API to change that. The local executor therefore writes the truth — status,
times, metrics from the script's own output, failure reason — to
``<S3OutputPath>/<job>/output/cloudai-job-state.json``, and the service classes merge it over the
control plane's description. Real SageMaker never has this file, so in cloud mode ``describe_*`` is
used as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from multi_cloud.core.errors import NotFound
from multi_cloud.core.types import JobStatus
from multi_cloud.core.uris import split_uri

from aws_ai_services.storage.s3 import S3Storage

STATE_FILENAME = "cloudai-job-state.json"
#: SageMaker truncates FailureReason to this many characters
MAX_FAILURE_REASON = 1024


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class JobState:
    """One job's status as the local executor observed it (SageMaker's Status/SecondaryStatus)."""

    status: JobStatus
    secondary_status: str
    started: datetime | None = None
    ended: datetime | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    failure_reason: str = ""
    #: seconds the instance ran the job (every attempt, staging included): TrainingTimeInSeconds
    training_seconds: float = 0.0
    billable_seconds: int = 0
    managed_spot: bool = False
    #: the SecondaryStatus values the job went through, oldest first
    transitions: tuple[str, ...] = ()

    def moved_to(self, secondary_status: str) -> JobState:
        """The same job in a new secondary status (recorded in ``transitions``)."""
        return replace(
            self, secondary_status=secondary_status, transitions=(*self.transitions, secondary_status)
        )

    def finish(
        self,
        status: JobStatus,
        secondary_status: str,
        *,
        metrics: Mapping[str, float] | None = None,
        failure_reason: str = "",
    ) -> JobState:
        return replace(
            self,
            status=status,
            secondary_status=secondary_status,
            transitions=(*self.transitions, secondary_status),
            ended=utc_now(),
            metrics=dict(metrics or self.metrics),
            failure_reason=_shorten(failure_reason),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "secondary_status": self.secondary_status,
                "started": self.started.isoformat() if self.started else None,
                "ended": self.ended.isoformat() if self.ended else None,
                "metrics": dict(self.metrics),
                "failure_reason": self.failure_reason,
                "training_seconds": self.training_seconds,
                "billable_seconds": self.billable_seconds,
                "managed_spot": self.managed_spot,
                "transitions": list(self.transitions),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> JobState:
        data: dict[str, Any] = json.loads(text)
        return cls(
            status=data["status"],
            secondary_status=data.get("secondary_status", ""),
            started=_parse_time(data.get("started")),
            ended=_parse_time(data.get("ended")),
            metrics={k: float(v) for k, v in data.get("metrics", {}).items()},
            failure_reason=data.get("failure_reason", ""),
            training_seconds=float(data.get("training_seconds", 0.0)),
            billable_seconds=int(data.get("billable_seconds", 0)),
            managed_spot=bool(data.get("managed_spot", False)),
            transitions=tuple(data.get("transitions", ())),
        )


def _shorten(reason: str) -> str:
    """Fit SageMaker's limit, keeping the start (the error kind) and the end (the error itself)."""
    if len(reason) <= MAX_FAILURE_REASON:
        return reason
    head = MAX_FAILURE_REASON // 4
    return reason[:head] + "\n...\n" + reason[-(MAX_FAILURE_REASON - head - 5) :]


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def job_output_prefix(s3_output_path: str, job_name: str) -> str:
    """``s3://bucket/prefix`` + job -> ``s3://bucket/prefix/job/output/`` (where SageMaker writes)."""
    return f"{s3_output_path.rstrip('/')}/{job_name}/output/"


class JobStateStore:
    """Reads and writes :class:`JobState` records as S3 objects."""

    def __init__(self, storage: S3Storage) -> None:
        self.storage = storage

    def write(self, uri: str, state: JobState) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self.storage.put_object(bucket, key, state.to_json().encode(), content_type="application/json")

    def read(self, uri: str) -> JobState | None:
        """The record at ``uri``, or ``None`` when the job was not executed locally."""
        bucket, key = split_uri(uri, scheme="s3")
        try:
            return JobState.from_json(self.storage.get_object(bucket, key).decode())
        except NotFound:
            return None
