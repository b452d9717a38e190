"""Endpoint invocation metrics in CloudWatch, as SageMaker publishes them (namespace ``AWS/SageMaker``).

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


def invocation_metric_data(
    endpoint: str,
    variant: str,
    *,
    model_latency_us: float,
    overhead_latency_us: float,
    instance_count: int,
    when: datetime,
    error_status: int = 0,
) -> list[dict[str, Any]]:
    """The metric data points of one invocation (``error_status``: the model's HTTP error status, if any)."""
    dims = dimensions(endpoint, variant)
    points = (
        ("Invocations", 1.0, "Count"),
        ("InvocationsPerInstance", 1.0 / max(instance_count, 1), "Count"),
        ("Invocation4XXErrors", 1.0 if 400 <= error_status < 500 else 0.0, "Count"),
        ("Invocation5XXErrors", 1.0 if error_status >= 500 else 0.0, "Count"),
        ("ModelLatency", model_latency_us, "Microseconds"),
        ("OverheadLatency", overhead_latency_us, "Microseconds"),
    )
    return [
        {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": float(value), "Unit": unit}
        for name, value, unit in points
    ]


class EndpointMetrics:
    """Publish and read per-variant endpoint metrics."""

    def __init__(self, settings: Settings | None = None, *, client: Any = None) -> None:
        self.settings = settings or get_settings()
        if client is not None:  # e.g. the emulator's own client to moto
            self.client = client

    client = ServiceClient("cloudwatch")

    def publish(self, metric_data: list[dict[str, Any]]) -> None:
        with aws_errors("models.endpoint_metrics"):
            self.client.put_metric_data(Namespace=NAMESPACE, MetricData=metric_data)

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
