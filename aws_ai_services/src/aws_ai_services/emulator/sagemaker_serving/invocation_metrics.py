"""Endpoint invocation metrics as SageMaker publishes them to CloudWatch (namespace ``AWS/SageMaker``).

Per request and variant: ``Invocations``, ``InvocationsPerInstance`` (1 / instance count, what target
tracking follows), ``Invocation4XXErrors`` / ``Invocation5XXErrors``, ``ModelLatency`` and
``OverheadLatency`` (Microseconds), dimensions ``EndpointName`` and ``VariantName``. SageMaker aggregates
per minute; the local cloud puts one data point per request, so Sum and Average come out the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
