"""Training logs from CloudWatch Logs, where SageMaker puts them (/aws/sagemaker/TrainingJobs)."""

from __future__ import annotations

import re

from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
#: a "name=value" (or "name: value") log line, the convention the lesson scripts print metrics in
METRIC_LINE = re.compile(r"^\s*([A-Za-z_][\w:./-]*)\s*[=:]\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$")


class TrainingLogs:
    """Read a job's log lines from its ``<job>/algo-1-<epoch>`` streams (SageMaker writes them)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("logs")

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


def metrics_in_logs(text: str) -> dict[str, float]:
    """The last value of each ``name=value`` line: metrics of a job that declared no MetricDefinitions."""
    found: dict[str, float] = {}
    for line in text.splitlines():
        match = METRIC_LINE.match(line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found
