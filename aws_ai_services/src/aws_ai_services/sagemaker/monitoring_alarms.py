"""Drift metrics in CloudWatch and alarms on them, as Model Monitor emits them for an endpoint schedule.

Metrics go to ``aws/sagemaker/Endpoints/data-metrics`` with dimensions ``Endpoint`` and
``MonitoringSchedule``: ``feature_baseline_drift_<feature>`` (the KS distance, Model Monitor's own metric
name) and ``feature_psi_<feature>`` (this package's addition). An alarm is a ``PutMetricAlarm`` on one of
them. CloudWatch evaluates alarms itself; moto stores them but never evaluates, so in local mode
:meth:`DriftAlarms.evaluate` plays CloudWatch's part with ``SetAlarmState`` and CloudWatch's reason text.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.drift import FeatureDrift
from aws_ai_services.session import ServiceClient

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"
_COMPARISONS = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


def drift_metric(feature: str) -> str:
    return f"feature_baseline_drift_{feature}"


def psi_metric(feature: str) -> str:
    return f"feature_psi_{feature}"


def dimensions(endpoint: str, schedule: str) -> list[dict[str, str]]:
    return [{"Name": "Endpoint", "Value": endpoint}, {"Name": "MonitoringSchedule", "Value": schedule}]


class DriftAlarms:
    """Publish drift metrics, create alarms on them, and (locally) evaluate the alarms."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("cloudwatch")

    def publish(self, endpoint: str, schedule: str, drift: Sequence[FeatureDrift], when: datetime) -> None:
        dims = dimensions(endpoint, schedule)
        data = [
            {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": value, "Unit": "None"}
            for result in drift
            for name, value in (
                (drift_metric(result.feature), result.ks),
                (psi_metric(result.feature), result.psi),
            )
        ]
        with aws_errors("models.monitoring"):
            for start in range(0, len(data), 1000):  # PutMetricData's limit per call
                self.client.put_metric_data(Namespace=NAMESPACE, MetricData=data[start : start + 1000])

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

    def evaluate(self, schedule: str, drift: Sequence[FeatureDrift], when: datetime) -> dict[str, str]:
        """CloudWatch's evaluation of the schedule's alarms against the values just published."""
        values = {drift_metric(r.feature): r.ks for r in drift} | {
            psi_metric(r.feature): r.psi for r in drift
        }
        states: dict[str, str] = {}
        for alarm in self.alarms(schedule):
            value = values.get(alarm["MetricName"])
            if value is None:
                continue
            compare, words = _COMPARISONS.get(
                alarm["ComparisonOperator"], _COMPARISONS["GreaterThanThreshold"]
            )
            breaching = compare(value, alarm["Threshold"])
            state = "ALARM" if breaching else "OK"
            reason = (
                f"Threshold Crossed: 1 datapoint [{value:.4f} ({when:%d/%m/%y %H:%M:%S})] was "
                f"{'' if breaching else 'not '}{words} the threshold ({alarm['Threshold']:g})."
            )
            data = {
                "version": "1.0",
                "queryDate": when.isoformat(),
                "recentDatapoints": [value],
                "threshold": alarm["Threshold"],
            }
            with aws_errors("models.monitoring"):
                self.client.set_alarm_state(
                    AlarmName=alarm["AlarmName"],
                    StateValue=state,
                    StateReason=reason,
                    StateReasonData=json.dumps(data),
                )
            states[alarm["AlarmName"]] = state
        return states
