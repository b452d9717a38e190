"""One data-quality monitoring execution, as Model Monitor's analyzer runs it, over moto's state.

The captured requests of the window (since the schedule's previous execution) are checked against the
job definition's baseline (constraint violations, KS distance and PSI per feature); the report goes to
``<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/``: ``statistics.json`` and ``constraint_violations.json``
as Model Monitor writes them, plus ``drift_metrics.json`` (KS, its p-value and PSI per feature: the local
cloud's addition). Drift metrics go to CloudWatch (``aws/sagemaker/Endpoints/data-metrics``:
``feature_baseline_drift_<f>`` and ``feature_psi_<f>``) and CloudWatch's alarms on them are evaluated.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from aws_ai_services.emulator.moto_state import MotoS3, S3Missing
from aws_ai_services.emulator.sagemaker_monitor.alarms import evaluate_alarms
from aws_ai_services.emulator.sagemaker_monitor.captures import captured_rows, read_captures, within
from aws_ai_services.emulator.sagemaker_monitor.checks import check_traffic
from aws_ai_services.emulator.sagemaker_monitor.schedules import Execution

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"


class ExecutionFailure(Exception):
    """The execution cannot analyse anything; the message is its ``FailureReason``."""


def report_uri(output_uri: str, endpoint: str, schedule: str, when: datetime) -> str:
    return f"{output_uri.rstrip('/')}/{endpoint}/{schedule}/{when:%Y/%m/%d/%H}"


def analyse(
    backend: Any, definition: Any, execution: Execution, capture_uri: str, since: datetime | None
) -> str:
    """Run the analysis; returns the final status (``Completed`` / ``CompletedWithViolations``)."""
    s3 = MotoS3(backend.account_id)
    baseline = definition.data_quality_baseline_config or {}
    try:
        stats = json.loads(s3.get(baseline["StatisticsResource"]["S3Uri"]))
        limits = json.loads(s3.get(baseline["ConstraintsResource"]["S3Uri"]))
    except (KeyError, S3Missing) as exc:
        raise ExecutionFailure(f"the baseline statistics or constraints cannot be read: {exc}") from exc
    until = _aware(execution.scheduled)
    start = _aware(since) if since is not None else None
    records = within(read_captures(s3, capture_uri, execution.endpoint), start, until)
    rows = captured_rows(records)
    if not rows:
        raise ExecutionFailure(
            "No captured data in the window: invoke the endpoint (capture enabled) before the execution"
        )
    result = check_traffic(stats, limits, rows)
    drift = {d.feature: {"ks": d.ks, "ks_p_value": d.ks_p_value, "psi": d.psi} for d in result.drift}
    _put(s3, f"{execution.report_uri}/constraint_violations.json", {"violations": list(result.violations)})
    _put(s3, f"{execution.report_uri}/statistics.json", result.statistics)
    _put(s3, f"{execution.report_uri}/drift_metrics.json", {"features": drift})
    _publish(backend, execution, drift, until)
    return "CompletedWithViolations" if result.violations else "Completed"


def _publish(backend: Any, execution: Execution, drift: dict[str, dict[str, float]], when: datetime) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch = cloudwatch_backends[backend.account_id][backend.region_name]
    dimensions = [
        {"Name": "Endpoint", "Value": execution.endpoint},
        {"Name": "MonitoringSchedule", "Value": execution.schedule},
    ]
    values = {f"feature_baseline_drift_{f}": d["ks"] for f, d in drift.items()}
    values |= {f"feature_psi_{f}": d["psi"] for f, d in drift.items()}
    naive = when.astimezone(timezone.utc).replace(tzinfo=None)  # as moto's request parser hands them over
    data = [
        {"MetricName": name, "Dimensions": dimensions, "Timestamp": naive, "Value": value, "Unit": "None"}
        for name, value in values.items()
    ]
    if data:
        cloudwatch.put_metric_data(NAMESPACE, data)
    evaluate_alarms(cloudwatch, NAMESPACE, dimensions, values, when)


def _aware(moment: datetime) -> datetime:
    """moto keeps naive UTC times."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _put(s3: MotoS3, uri: str, data: Any) -> None:
    s3.put(uri, json.dumps(data, indent=2).encode())
