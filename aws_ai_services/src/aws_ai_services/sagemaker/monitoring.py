"""ModelMonitor: data capture -> baseline -> monitoring schedule -> executions, CloudWatch metrics, alarms.

1. Deploy with ``DataCaptureConfig`` (see :mod:`data_capture`): sampled requests land in S3.
2. ``suggest_baseline`` starts Model Monitor's baselining processing job (``CreateProcessingJob`` on the
   analyzer image, as the SageMaker SDK's ``suggest_baseline`` does); SageMaker writes ``statistics.json``
   and ``constraints.json``; the drift threshold is then set in ``constraints.json``, as one edits it.
3. ``create_monitoring_schedule``: ``CreateDataQualityJobDefinition`` (endpoint, baseline, output) and
   ``CreateMonitoringSchedule`` on it.
4. ``run_monitoring``: ``StartMonitoringSchedule`` — in the local cloud the documented trigger of one
   execution now, over the traffic captured since the previous one (AWS runs them on the cron schedule)
   — then ``ListMonitoringExecutions`` until it ends, and its report read from S3 (the processing job's
   output: ``constraint_violations.json``, ``statistics.json``, ``drift_metrics.json``). SageMaker
   publishes the drift metrics and CloudWatch evaluates the alarms put on them (``put_drift_alarm``).
``delete_monitoring_schedule`` removes the schedule, its job definition and the alarms put on it.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.images import model_monitor_image_uri
from aws_ai_services.sagemaker.monitor.monitoring_alarms import DriftAlarms
from aws_ai_services.sagemaker.waiting import wait_until_done
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

DEFAULT_CRON = "cron(0 * ? * * *)"  # hourly, Model Monitor's usual cadence
DEFAULT_DRIFT_THRESHOLD = 0.1
#: how long a baselining job or an execution may take (Model Monitor's jobs: minutes)
MAX_WAIT_SECONDS = 3600
PENDING = frozenset({"Pending", "InProgress", "Stopping"})
PROCESSING = "/opt/ml/processing"


@dataclass(frozen=True)
class Baseline:
    statistics_uri: str
    constraints_uri: str
    statistics: dict[str, Any]
    constraints: dict[str, Any]


@dataclass(frozen=True)
class MonitoringExecution:
    """One execution as ``ListMonitoringExecutions`` and its report tell it."""

    schedule: str
    status: str  # Completed | CompletedWithViolations | Failed
    scheduled_time: str
    records: int
    processing_job_arn: str = ""
    report_uri: str = ""
    violations: tuple[dict[str, str], ...] = ()
    drift: dict[str, dict[str, float]] = field(default_factory=dict)  # feature -> ks, ks_p_value, psi
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name -> state after the run
    failure_reason: str = ""


@dataclass(frozen=True)
class MonitoringSchedule:
    name: str
    endpoint: str
    status: str
    job_definition: str
    cron: str
    statistics_uri: str
    constraints_uri: str
    output_uri: str
    executions: tuple[MonitoringExecution, ...] = ()


class ModelMonitor:
    """Data-quality monitoring of SageMaker endpoints from their captured traffic."""

    def __init__(self, storage: S3Storage, settings: Settings | None = None) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
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
        job_name: str = "",
    ) -> Baseline:
        """Baseline statistics and constraints of a CSV data set (drop e.g. the label column first)."""
        base = output_uri.rstrip("/")
        source = self._features_only(dataset_uri, f"{base}/dataset/features.csv", drop_columns)
        name = job_name or f"baseline-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**6:06d}"
        with aws_errors("models.monitoring"):
            self.client.create_processing_job(
                ProcessingJobName=name,
                RoleArn=self.settings.aws.sagemaker_role_arn,
                AppSpecification={"ImageUri": model_monitor_image_uri(self.settings.aws.region)},
                Environment={
                    "dataset_format": json.dumps({"csv": {"header": header}}),
                    "dataset_source": f"{PROCESSING}/input/baseline_dataset_input",
                    "output_path": f"{PROCESSING}/output",
                    "publish_cloudwatch_metrics": "Disabled",
                },
                ProcessingInputs=[
                    {
                        "InputName": "baseline_dataset_input",
                        "S3Input": {
                            "S3Uri": source,
                            "LocalPath": f"{PROCESSING}/input/baseline_dataset_input",
                            "S3DataType": "S3Prefix",
                            "S3InputMode": "File",
                        },
                    }
                ],
                ProcessingOutputConfig={
                    "Outputs": [
                        {
                            "OutputName": "monitoring_output",
                            "S3Output": {
                                "S3Uri": base,
                                "LocalPath": f"{PROCESSING}/output",
                                "S3UploadMode": "EndOfJob",
                            },
                        }
                    ]
                },
                ProcessingResources={
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 20,
                    }
                },
            )
        with aws_errors("models.monitoring"):
            job = wait_until_done(
                lambda: self.client.describe_processing_job(ProcessingJobName=name),
                "ProcessingJobStatus",
                PENDING,
                timeout=MAX_WAIT_SECONDS,
                what=f"baselining job {name}",
            )
        if job["ProcessingJobStatus"] != "Completed":
            raise InvalidArgument(
                f"baselining job {name} {job['ProcessingJobStatus']}: {job.get('FailureReason', '')}",
                provider="aws",
                operation="models.monitoring",
            )
        stats = self._get_json(f"{base}/statistics.json")
        limits = self._get_json(f"{base}/constraints.json")
        limits["monitoring_config"]["distribution_constraints"]["comparison_threshold"] = drift_threshold
        self._put_json(f"{base}/constraints.json", limits)
        return Baseline(f"{base}/statistics.json", f"{base}/constraints.json", stats, limits)

    # ------------------------------------------------------------------ schedules
    def create_monitoring_schedule(
        self, name: str, endpoint: str, baseline: Baseline, output_uri: str, *, cron: str = DEFAULT_CRON
    ) -> MonitoringSchedule:
        definition = f"{name}-data-quality"
        self._create_job_definition(definition, endpoint, baseline, output_uri)
        try:
            with aws_errors("models.monitoring"):
                self.client.create_monitoring_schedule(
                    MonitoringScheduleName=name,
                    MonitoringScheduleConfig={
                        "ScheduleConfig": {"ScheduleExpression": cron},
                        "MonitoringJobDefinitionName": definition,
                        "MonitoringType": "DataQuality",
                    },
                )
        except CloudError:
            with aws_errors("models.monitoring"):
                self.client.delete_data_quality_job_definition(JobDefinitionName=definition)
            raise
        return self.describe_monitoring_schedule(name)

    def describe_monitoring_schedule(self, name: str) -> MonitoringSchedule:
        with aws_errors("models.monitoring"):
            description = self.client.describe_monitoring_schedule(MonitoringScheduleName=name)
            config = description["MonitoringScheduleConfig"]
            definition = self.client.describe_data_quality_job_definition(
                JobDefinitionName=config["MonitoringJobDefinitionName"]
            )
            summaries = self.client.list_monitoring_executions(
                MonitoringScheduleName=name, SortBy="ScheduledTime", SortOrder="Ascending"
            )["MonitoringExecutionSummaries"]
        baseline = definition["DataQualityBaselineConfig"]
        outputs = definition["DataQualityJobOutputConfig"]["MonitoringOutputs"]
        return MonitoringSchedule(
            name=name,
            endpoint=description.get("EndpointName", ""),
            status=description["MonitoringScheduleStatus"],
            job_definition=config["MonitoringJobDefinitionName"],
            cron=config.get("ScheduleConfig", {}).get("ScheduleExpression", ""),
            statistics_uri=baseline["StatisticsResource"]["S3Uri"],
            constraints_uri=baseline["ConstraintsResource"]["S3Uri"],
            output_uri=outputs[0]["S3Output"]["S3Uri"],
            executions=tuple(self._execution(s) for s in summaries),
        )

    def list_monitoring_schedules(self) -> list[str]:
        with aws_errors("models.monitoring"):
            found = self.client.list_monitoring_schedules()["MonitoringScheduleSummaries"]
        return sorted(s["MonitoringScheduleName"] for s in found)

    def delete_monitoring_schedule(self, name: str) -> list[str]:
        """Delete the schedule, its job definition and its drift alarms; returns the deleted alarms."""
        schedule = self.describe_monitoring_schedule(name)
        deleted_alarms = self.alarms.delete_alarms(schedule.name)
        with aws_errors("models.monitoring"):
            self.client.delete_monitoring_schedule(MonitoringScheduleName=name)
            self.client.delete_data_quality_job_definition(JobDefinitionName=schedule.job_definition)
        return deleted_alarms

    def put_drift_alarm(
        self, schedule_name: str, feature: str, *, threshold: float, metric: str = "baseline_drift"
    ) -> str:
        """A CloudWatch alarm on one feature's drift metric (``baseline_drift`` = KS, or ``psi``)."""
        schedule = self.describe_monitoring_schedule(schedule_name)
        known = [f["name"] for f in self._get_json(schedule.statistics_uri)["features"]]
        if feature not in known:
            raise InvalidArgument(f"feature {feature!r} is not in the baseline; features: {', '.join(known)}")
        if metric not in ("baseline_drift", "psi"):
            raise InvalidArgument(f"metric must be 'baseline_drift' or 'psi', not {metric!r}")
        return self.alarms.put_alarm(
            schedule.endpoint, schedule.name, feature, threshold=threshold, metric=metric
        )

    # ------------------------------------------------------------------ executions
    def run_monitoring(self, schedule_name: str) -> MonitoringExecution:
        """Start the schedule (locally: one execution now, over what was captured since the previous one)."""
        with aws_errors("models.monitoring"):
            self.client.start_monitoring_schedule(MonitoringScheduleName=schedule_name)

        def newest() -> dict[str, Any]:
            with aws_errors("models.monitoring"):
                found = self.client.list_monitoring_executions(
                    MonitoringScheduleName=schedule_name,
                    SortBy="ScheduledTime",
                    SortOrder="Descending",
                    MaxResults=1,
                )["MonitoringExecutionSummaries"]
            if not found:
                raise NotFound(f"monitoring schedule {schedule_name!r} has no execution", provider="aws")
            return dict(found[0])

        done = wait_until_done(
            newest,
            "MonitoringExecutionStatus",
            PENDING,
            timeout=MAX_WAIT_SECONDS,
            what=f"monitoring execution of {schedule_name}",
        )
        return self._execution(done)

    # ------------------------------------------------------------------ helpers
    def _execution(self, summary: Mapping[str, Any]) -> MonitoringExecution:
        """An execution summary with its report (read from the processing job's output) and alarm states."""
        status = summary["MonitoringExecutionStatus"]
        schedule = summary["MonitoringScheduleName"]
        report = ""
        if summary.get("ProcessingJobArn"):
            with aws_errors("models.monitoring"):
                job = self.client.describe_processing_job(
                    ProcessingJobName=summary["ProcessingJobArn"].split("/")[-1]
                )
            report = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
        records, violations, drift = 0, (), {}
        if status in ("Completed", "CompletedWithViolations") and report:
            records = int(self._get_json(f"{report}/statistics.json")["dataset"]["item_count"])
            violations = tuple(self._get_json(f"{report}/constraint_violations.json")["violations"])
            drift = self._get_json(f"{report}/drift_metrics.json")["features"]
        return MonitoringExecution(
            schedule=schedule,
            status=status,
            scheduled_time=summary["ScheduledTime"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            records=records,
            processing_job_arn=summary.get("ProcessingJobArn", ""),
            report_uri=report,
            violations=violations,
            drift=drift,
            alarms=self.alarms.states(schedule),
            failure_reason=summary.get("FailureReason", ""),
        )

    def _create_job_definition(self, name: str, endpoint: str, baseline: Baseline, output_uri: str) -> None:
        with aws_errors("models.monitoring"):
            self.client.create_data_quality_job_definition(
                JobDefinitionName=name,
                DataQualityBaselineConfig={
                    "ConstraintsResource": {"S3Uri": baseline.constraints_uri},
                    "StatisticsResource": {"S3Uri": baseline.statistics_uri},
                },
                DataQualityAppSpecification={"ImageUri": model_monitor_image_uri(self.settings.aws.region)},
                DataQualityJobInput={
                    "EndpointInput": {"EndpointName": endpoint, "LocalPath": f"{PROCESSING}/input/endpoint"}
                },
                DataQualityJobOutputConfig={
                    "MonitoringOutputs": [
                        {"S3Output": {"S3Uri": output_uri.rstrip("/"), "LocalPath": f"{PROCESSING}/output"}}
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

    def _features_only(self, dataset_uri: str, copy_uri: str, drop_columns: Sequence[int]) -> str:
        """The data set without ``drop_columns`` (written beside the baseline), or the data set itself."""
        if not drop_columns:
            return dataset_uri
        bucket, key = split_uri(dataset_uri, scheme="s3")
        rows = csv.reader(io.StringIO(self.storage.get_object(bucket, key).decode("utf-8-sig")))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            if any(f.strip() for f in row):
                writer.writerow([v for i, v in enumerate(row) if i not in set(drop_columns)])
        bucket, key = split_uri(copy_uri, scheme="s3")
        self.storage.ensure_bucket(bucket)
        self.storage.put_object(bucket, key, out.getvalue().encode(), content_type="text/csv")
        return copy_uri

    def _put_json(self, uri: str, data: Mapping[str, Any]) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self.storage.put_object(
            bucket, key, json.dumps(data, indent=2).encode(), content_type="application/json"
        )

    def _get_json(self, uri: str) -> dict[str, Any]:
        bucket, key = split_uri(uri, scheme="s3")
        data: dict[str, Any] = json.loads(self.storage.get_object(bucket, key))
        return data
