"""ModelMonitor: data capture -> baseline -> scheduled drift checks -> CloudWatch metrics and alarms.

1. Deploy with ``DataCaptureConfig`` (see :mod:`data_capture`): sampled requests land in S3.
2. ``suggest_baseline`` computes ``statistics.json`` / ``constraints.json`` from the training data (Model
   Monitor's shapes).
3. ``create_monitoring_schedule`` records a data-quality job definition (``CreateDataQualityJobDefinition``)
   tying endpoint, baseline and output together; moto has no monitoring schedules, so the schedule itself
   lives in S3 as JSON (``monitoring_schedule``) — the fidelity table says so.
4. ``run_monitoring`` is one scheduled execution: the captured inputs (in a time window) are checked against
   the baseline — constraint violations plus KS distance and PSI per feature — and the report is written
   like Model Monitor's (``<output>/<endpoint>/<schedule>/yyyy/mm/dd/hh/constraint_violations.json`` and
   ``statistics.json``); drift metrics go to CloudWatch and the schedule's alarms are evaluated.
Nothing runs on a timer here: call ``run_monitoring`` (a scheduler or a test does what cron would).
``delete_monitoring_schedule`` removes the schedule, its job definition and the alarms put on it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from multi_cloud.core.errors import AlreadyExists, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.aws_validation import aws_error
from aws_ai_services.sagemaker.data_capture import decoded_data, read_captures
from aws_ai_services.sagemaker.images import model_monitor_image_uri
from aws_ai_services.sagemaker.monitoring_alarms import DriftAlarms
from aws_ai_services.sagemaker.monitoring_baseline import (
    DEFAULT_DRIFT_THRESHOLD,
    constraints,
    feature_names,
    statistics,
)
from aws_ai_services.sagemaker.monitoring_checks import check_traffic
from aws_ai_services.sagemaker.monitoring_schedule import (
    MonitoringExecution,
    MonitoringSchedule,
    ScheduleStore,
    iso,
)
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

SCHEDULE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
DEFAULT_CRON = "cron(0 * ? * * *)"  # hourly, Model Monitor's usual cadence


@dataclass(frozen=True)
class Baseline:
    statistics_uri: str
    constraints_uri: str
    statistics: dict[str, Any]
    constraints: dict[str, Any]


class ModelMonitor:
    """Data-quality monitoring of SageMaker endpoints from their captured traffic."""

    def __init__(self, storage: S3Storage, settings: Settings | None = None) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.schedules = ScheduleStore(storage, self.settings.aws.artifact_bucket)
        self.alarms = DriftAlarms(self.settings)

    client = ServiceClient("sagemaker")

    # ------------------------------------------------------------------ baseline
    def suggest_baseline(
        self,
        dataset_uri: str,
        output_uri: str,
        *,
        header: bool = False,
        drop_columns: Sequence[int] = (),
        drift_threshold: float = DEFAULT_DRIFT_THRESHOLD,
    ) -> Baseline:
        """Baseline statistics and constraints of a CSV data set (drop e.g. the label column)."""
        bucket, key = split_uri(dataset_uri, scheme="s3")
        rows = list(csv.reader(io.StringIO(self.storage.get_object(bucket, key).decode("utf-8-sig"))))
        rows = [row for row in rows if any(field.strip() for field in row)]
        names_row = rows.pop(0) if header and rows else None
        keep = [i for i in range(len(rows[0]) if rows else 0) if i not in set(drop_columns)]
        if not keep:
            raise InvalidArgument(f"{dataset_uri} has no rows (or every column was dropped)")
        rows = [[row[i] if i < len(row) else "" for i in keep] for row in rows]
        names = feature_names(len(keep), [names_row[i] for i in keep] if names_row else None)
        stats = statistics(rows, names)
        limits = constraints(stats, drift_threshold=drift_threshold)
        base = output_uri.rstrip("/")
        self._put_json(f"{base}/statistics.json", stats)
        self._put_json(f"{base}/constraints.json", limits)
        return Baseline(f"{base}/statistics.json", f"{base}/constraints.json", stats, limits)

    # ------------------------------------------------------------------ schedules
    def create_monitoring_schedule(
        self, name: str, endpoint: str, baseline: Baseline, output_uri: str, *, cron: str = DEFAULT_CRON
    ) -> MonitoringSchedule:
        if len(name) > 63 or not SCHEDULE_NAME.match(name):
            raise aws_error("CreateMonitoringSchedule", f"MonitoringScheduleName {name!r} is not valid")
        if self.schedules.exists(name):
            raise AlreadyExists(f"monitoring schedule {name!r} already exists", provider="aws")
        with aws_errors("models.monitoring"):
            description = self.client.describe_endpoint(EndpointName=endpoint)
        capture = description.get("DataCaptureConfig") or {}
        if not capture.get("EnableCapture"):
            raise aws_error(
                "CreateMonitoringSchedule",
                f"Endpoint {endpoint!r} does not capture data; deploy it with a DataCaptureConfig "
                "(data_capture=DataCaptureConfig(...)) before monitoring it",
            )
        definition = f"{name}-data-quality"
        self._record_job_definition(definition, endpoint, baseline, output_uri)
        schedule = MonitoringSchedule(
            name=name,
            endpoint=endpoint,
            statistics_uri=baseline.statistics_uri,
            constraints_uri=baseline.constraints_uri,
            output_uri=output_uri.rstrip("/"),
            capture_uri=capture["DestinationS3Uri"],
            cron=cron,
            job_definition=definition,
            created=iso(datetime.now(timezone.utc)),
        )
        self.schedules.write(schedule)
        return schedule

    def describe_monitoring_schedule(self, name: str) -> MonitoringSchedule:
        return self.schedules.read(name)

    def list_monitoring_schedules(self) -> list[str]:
        return self.schedules.names()

    def delete_monitoring_schedule(self, name: str) -> list[str]:
        """Delete the schedule, its job definition and its drift alarms; returns the deleted alarms."""
        schedule = self.schedules.read(name)
        deleted_alarms = self.alarms.delete_alarms(schedule.name)
        with aws_errors("models.monitoring"):
            self.client.delete_data_quality_job_definition(JobDefinitionName=schedule.job_definition)
        self.schedules.delete(name)
        return deleted_alarms

    def put_drift_alarm(
        self, schedule_name: str, feature: str, *, threshold: float, metric: str = "baseline_drift"
    ) -> str:
        """A CloudWatch alarm on one feature's drift metric (``baseline_drift`` = KS, or ``psi``)."""
        schedule = self.schedules.read(schedule_name)
        stats = self._get_json(schedule.statistics_uri)
        known = [f["name"] for f in stats["features"]]
        if feature not in known:
            raise InvalidArgument(f"feature {feature!r} is not in the baseline; features: {', '.join(known)}")
        if metric not in ("baseline_drift", "psi"):
            raise InvalidArgument(f"metric must be 'baseline_drift' or 'psi', not {metric!r}")
        return self.alarms.put_alarm(
            schedule.endpoint, schedule.name, feature, threshold=threshold, metric=metric
        )

    # ------------------------------------------------------------------ executions
    def run_monitoring(
        self, schedule_name: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> MonitoringExecution:
        """One execution over the traffic captured in [since, until) (default: everything captured)."""
        schedule = self.schedules.read(schedule_name)
        now = datetime.now(timezone.utc)
        rows = captured_rows(
            _within(read_captures(self.storage, schedule.capture_uri, schedule.endpoint), since, until)
        )
        if not rows:
            execution = MonitoringExecution(
                schedule=schedule.name,
                status="Failed",
                scheduled_time=iso(now),
                records=0,
                failure_reason="No captured data in the window: invoke the endpoint (capture enabled) first",
            )
            self.schedules.write(schedule.with_execution(execution))
            return execution
        result = check_traffic(
            self._get_json(schedule.statistics_uri), self._get_json(schedule.constraints_uri), rows
        )
        report = f"{schedule.output_uri}/{schedule.endpoint}/{schedule.name}/{now:%Y/%m/%d/%H}"
        self._put_json(f"{report}/constraint_violations.json", {"violations": list(result.violations)})
        self._put_json(f"{report}/statistics.json", result.statistics)
        self.alarms.publish(schedule.endpoint, schedule.name, result.drift, now)
        states = (
            self.alarms.evaluate(schedule.name, result.drift, now) if self.settings.mode == "local" else {}
        )
        execution = MonitoringExecution(
            schedule=schedule.name,
            status="CompletedWithViolations" if result.violations else "Completed",
            scheduled_time=iso(now),
            records=len(rows),
            report_uri=report,
            violations=result.violations,
            drift={d.feature: {"ks": d.ks, "ks_p_value": d.ks_p_value, "psi": d.psi} for d in result.drift},
            alarms=states or self.alarms.states(schedule.name),
        )
        self.schedules.write(schedule.with_execution(execution))
        return execution

    # ------------------------------------------------------------------ helpers
    def _record_job_definition(self, name: str, endpoint: str, baseline: Baseline, output_uri: str) -> None:
        with aws_errors("models.monitoring"):
            self.client.create_data_quality_job_definition(
                JobDefinitionName=name,
                DataQualityBaselineConfig={
                    "ConstraintsResource": {"S3Uri": baseline.constraints_uri},
                    "StatisticsResource": {"S3Uri": baseline.statistics_uri},
                },
                DataQualityAppSpecification={"ImageUri": model_monitor_image_uri(self.settings.aws.region)},
                DataQualityJobInput={
                    "EndpointInput": {
                        "EndpointName": endpoint,
                        "LocalPath": "/opt/ml/processing/input/endpoint",
                    }
                },
                DataQualityJobOutputConfig={
                    "MonitoringOutputs": [
                        {"S3Output": {"S3Uri": output_uri, "LocalPath": "/opt/ml/processing/output"}}
                    ]
                },
                JobResources={
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 20,
                    }
                },
                RoleArn=self.settings.aws.sagemaker_role_arn,
            )

    def _put_json(self, uri: str, data: Mapping[str, Any]) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self.storage.ensure_bucket(bucket)
        self.storage.put_object(
            bucket, key, json.dumps(data, indent=2).encode(), content_type="application/json"
        )

    def _get_json(self, uri: str) -> dict[str, Any]:
        bucket, key = split_uri(uri, scheme="s3")
        data: dict[str, Any] = json.loads(self.storage.get_object(bucket, key))
        return data


def captured_rows(records: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """The request rows of captured records (CSV lines, or JSON rows) as text fields."""
    rows: list[list[str]] = []
    for record in records:
        payload = record.get("captureData", {}).get("endpointInput")
        if not payload:
            continue
        body = decoded_data(payload).decode("utf-8", errors="replace")
        if payload.get("encoding") == "JSON":
            lines = body.splitlines() if "jsonlines" in str(payload.get("observedContentType")) else [body]
            rows += [row for line in lines if line.strip() for row in _json_rows(json.loads(line))]
        else:
            rows += [row for row in csv.reader(io.StringIO(body)) if any(f.strip() for f in row)]
    return rows


def _json_rows(value: Any) -> list[list[str]]:
    """``[1, 2]``, ``[[1, 2], [3, 4]]`` or ``{"instances"|"features": ...}`` as rows of text fields."""
    if isinstance(value, dict):
        value = value.get("instances", value.get("features", []))
    if not isinstance(value, list):
        value = [value]
    matrix = value if value and all(isinstance(v, list) for v in value) else [value]
    return [[str(v) for v in row] for row in matrix]


def _within(
    records: Iterable[Mapping[str, Any]], since: datetime | None, until: datetime | None
) -> list[Mapping[str, Any]]:
    kept = []
    for record in records:
        moment = datetime.fromisoformat(record["eventMetadata"]["inferenceTime"].replace("Z", "+00:00"))
        if (since is None or moment >= since) and (until is None or moment < until):
            kept.append(record)
    return kept
