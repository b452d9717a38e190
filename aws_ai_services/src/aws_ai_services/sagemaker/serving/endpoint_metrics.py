"""Reading endpoint invocation metrics from CloudWatch (namespace ``AWS/SageMaker``).

Per request and variant: ``Invocations`` (Count), ``InvocationsPerInstance`` (1 / instance count, the
metric target-tracking autoscaling follows), ``Invocation4XXErrors`` / ``Invocation5XXErrors`` (1 when the
model answered with that status class, else 0), ``ModelLatency`` and ``OverheadLatency`` (Microseconds),
dimensions ``EndpointName`` and ``VariantName``. SageMaker publishes them itself, server-side (locally:
the AWS AI emulator serving ``InvokeEndpoint``); callers only read them. SageMaker aggregates per minute;
the emulator puts one data point per request, so CloudWatch statistics (Sum, Average) come out the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

NAMESPACE = "AWS/SageMaker"


def dimensions(endpoint: str, variant: str) -> list[dict[str, str]]:
    return [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]


class EndpointMetrics:
    """Read per-variant endpoint metrics (the endpoint itself publishes them)."""

    def __init__(self, settings: Settings | None = None, *, client: Any = None) -> None:
        self.settings = settings or get_settings()
        if client is not None:
            self.client = client

    client = ServiceClient("cloudwatch")

    def statistic(
        self,
        endpoint: str,
        variant: str,
        metric: str,
        *,
        start: datetime,
        end: datetime,
        statistic: str = "Sum",
    ) -> float | None:
        """One statistic of ``metric`` over [start, end] (None when there are no data points)."""
        seconds = max(60, int((end - start).total_seconds()))
        period = ((seconds + 59) // 60) * 60
        with aws_errors("models.endpoint_metrics"):
            answer = self.client.get_metric_statistics(
                Namespace=NAMESPACE,
                MetricName=metric,
                Dimensions=dimensions(endpoint, variant),
                StartTime=start,
                EndTime=end,
                Period=period,
                Statistics=[statistic],
            )
        points = answer.get("Datapoints", [])
        if not points:
            return None
        values = [float(p[statistic]) for p in points]
        return sum(values) if statistic in ("Sum", "SampleCount") else values[0]

    def invocations(self, endpoint: str, variant: str, *, start: datetime, end: datetime) -> int:
        return int(self.statistic(endpoint, variant, "Invocations", start=start, end=end) or 0)
