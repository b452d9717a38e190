"""Drift metrics in CloudWatch and alarms on them, as Model Monitor emits them for an endpoint schedule.

Metrics go to ``aws/sagemaker/Endpoints/data-metrics`` with dimensions ``Endpoint`` and
``MonitoringSchedule``: ``feature_baseline_drift_<feature>`` (the KS distance, Model Monitor's own metric
name) and ``feature_psi_<feature>`` (the local cloud's addition). The monitoring execution publishes them;
an alarm is a ``PutMetricAlarm`` on one of them, evaluated by CloudWatch (locally, by the local cloud
after each execution).
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


def drift_metric(feature: str) -> str:
    return f"feature_baseline_drift_{feature}"


def psi_metric(feature: str) -> str:
    return f"feature_psi_{feature}"


def dimensions(endpoint: str, schedule: str) -> list[dict[str, str]]:
    return [{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}]


class DriftAlarms:
    """Create, list and delete alarms on a schedule's drift metrics."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("cloudwatch")

    def put_alarm(
        self, endpoint: str, schedule: str, feature: str, *, threshold: float, metric: str = "baseline_drift"
    ) -> str:
        """Alarm when the feature's drift metric exceeds ``threshold``; returns the alarm name."""
        metric_name = drift_metric(feature) if metric == "baseline_drift" else psi_metric(feature)
        name = f"{schedule}-{feature}-{metric}"
        with aws_errors("models.monitoring"):
            self.client.put_metric_alarm(
                AlarmName=name,
                AlarmDescription=f"{metric} of {feature} on endpoint {endpoint} above {threshold:g}",
                Namespace=NAMESPACE,
                MetricName=metric_name,
                Dimensions=dimensions(endpoint, schedule),
                Statistic="Maximum",
                Period=3600,
                EvaluationPeriods=1,
                Threshold=threshold,
                ComparisonOperator="GreaterThanThreshold",
                TreatMissingData="notBreaching",
            )
        return name

    def alarms(self, schedule: str) -> list[dict[str, Any]]:
        with aws_errors("models.monitoring"):
            pages = self.client.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{schedule}-")
            found = [alarm for page in pages for alarm in page.get("MetricAlarms", [])]
        return [
            a for a in found if {"Name": "MonitoringSchedule", "Value": schedule} in a.get("Dimensions", [])
        ]

    def delete_alarms(self, schedule: str) -> list[str]:
        """Delete every alarm of the schedule; returns their names."""
        names = [alarm["AlarmName"] for alarm in self.alarms(schedule)]
        with aws_errors("models.monitoring"):
            for start in range(0, len(names), 100):  # DeleteAlarms' limit per call
                self.client.delete_alarms(AlarmNames=names[start : start + 100])
        return names

    def states(self, schedule: str) -> dict[str, str]:
        return {alarm["AlarmName"]: alarm["StateValue"] for alarm in self.alarms(schedule)}
