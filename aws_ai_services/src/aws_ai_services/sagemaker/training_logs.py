"""Training logs in CloudWatch Logs, where SageMaker puts them (/aws/sagemaker/TrainingJobs)."""

from __future__ import annotations

import time
from typing import Any

from multi_cloud.core.errors import AlreadyExists
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
#: PutLogEvents limits: events per call, bytes per call (each event counts 26 bytes extra)
MAX_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD


class TrainingLogs:
    """Write a job's log lines to its ``<job>/algo-1-<epoch>`` stream and read them back."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("logs")

    def write(self, job_name: str, text: str) -> str:
        """Store ``text`` one event per line; returns the stream name."""
        stream = f"{job_name}/algo-1-{int(time.time())}"
        try:
            with aws_errors("models.training_logs"):
                self.client.create_log_group(logGroupName=LOG_GROUP)
        except AlreadyExists:
            pass
        with aws_errors("models.training_logs"):
            self.client.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
            for batch in _batches(text.splitlines() or ["(the script printed nothing)"]):
                self.client.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=batch)
        return stream

    def read(self, job_name: str) -> str:
        """Every log line of the job's streams, oldest first."""
        lines: list[str] = []
        with aws_errors("models.training_logs"):
            streams = self.client.describe_log_streams(
                logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job_name}/"
            )
            for stream in streams.get("logStreams", []):
                pages = self.client.get_paginator("filter_log_events").paginate(
                    logGroupName=LOG_GROUP, logStreamNames=[stream["logStreamName"]]
                )
                lines += [event["message"] for page in pages for event in page.get("events", [])]
        return "\n".join(lines)


def _batches(lines: list[str]) -> list[list[dict[str, Any]]]:
    now_ms = int(time.time() * 1000)
    batches: list[list[dict[str, Any]]] = [[]]
    size = 0
    for line in lines:
        message = line.encode()[:MAX_EVENT_BYTES].decode(errors="ignore") or " "
        cost = len(message.encode()) + EVENT_OVERHEAD
        if len(batches[-1]) == MAX_EVENTS or size + cost > MAX_BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append({"timestamp": now_ms, "message": message})
        size += cost
    return batches
