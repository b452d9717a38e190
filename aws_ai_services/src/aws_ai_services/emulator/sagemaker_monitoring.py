"""Model Monitor in moto's SageMaker: monitoring schedules, executions and baselining jobs, server-side.

moto 5.2 has data-quality job definitions but no monitoring schedules. ``install()`` (the
``cloudai.moto_patches`` entry point, idempotent) adds ``CreateMonitoringSchedule``,
``DescribeMonitoringSchedule``, ``ListMonitoringSchedules``, ``DeleteMonitoringSchedule``,
``StartMonitoringSchedule``, ``StopMonitoringSchedule`` and ``ListMonitoringExecutions`` to moto's SageMaker
API, and makes ``CreateProcessingJob`` run Model Monitor's baselining job. Nothing runs on a timer:
``StartMonitoringSchedule`` is the local trigger — it runs one execution at once over the traffic captured
since the previous execution, recorded as a processing job (``ProcessingJobArn``; its output is the report).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import PATCHED_MARK, patch_method, when_imported
from aws_ai_services.emulator.sagemaker_monitor.baselining import (
    BaselineFailure,
    is_baselining,
    run_baselining,
)
from aws_ai_services.emulator.sagemaker_monitor.execution import ExecutionFailure, analyse, report_uri
from aws_ai_services.emulator.sagemaker_monitor.job_logs import execution_job_name, write_job_logs
from aws_ai_services.emulator.sagemaker_monitor.schedules import Execution, Schedule, schedules

LOG = logging.getLogger(__name__)
_lock = threading.RLock()


def install() -> None:
    when_imported("moto.sagemaker.responses", _patch_responses)


def _patch_responses(module: ModuleType) -> None:
    responses = module.SageMakerResponse
    for name, method in OPERATIONS.items():
        if not getattr(vars(responses).get(name), PATCHED_MARK, False) and name not in vars(responses):
            setattr(method, PATCHED_MARK, True)
            setattr(responses, name, method)

    def make_create(original: Any) -> Any:
        def create_processing_job(self: Any) -> Any:
            answer = original(self)
            app, environment = self._get_param("AppSpecification") or {}, self._get_param("Environment") or {}
            if is_baselining(app, environment):
                job = self.sagemaker_backend.processing_jobs[self._get_param("ProcessingJobName")]
                job.processing_job_status = "InProgress"
                inputs = self._get_param("ProcessingInputs") or []
                outputs = self._get_param("ProcessingOutputConfig") or {}
                _background(_baseline, job, self.current_account, environment, inputs, outputs)
            return answer

        return create_processing_job

    patch_method(responses, "create_processing_job", make_create)


# ------------------------------------------------------------------------------------------- operations
def create_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.sagemaker.exceptions import ResourceInUseException, ValidationError

    backend = self.sagemaker_backend
    name = self._get_param("MonitoringScheduleName")
    config = self._get_param("MonitoringScheduleConfig") or {}
    definition_name = config.get("MonitoringJobDefinitionName", "")
    with _lock:
        if name in schedules(backend):
            raise ResourceInUseException(f"Monitoring Schedule {name} already exists.")
        definition = backend.data_quality_job_definitions.get(definition_name)
        if definition is None:
            raise ValidationError(
                f"Could not find data quality job definition {definition_name!r}: the local cloud runs "
                "schedules of a MonitoringJobDefinitionName created with CreateDataQualityJobDefinition."
            )
        endpoint = _endpoint_of(definition)
        _capture_uri(backend, endpoint)  # refuses an endpoint without capture, as SageMaker does
        arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:monitoring-schedule/{name}"
        schedules(backend)[name] = Schedule(name, arn, endpoint, config, utcnow())
    return ActionResult({"MonitoringScheduleArn": arn})


def describe_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult(_schedule(self).description())


def list_monitoring_schedules(self: Any) -> Any:
    from moto.core.responses import ActionResult

    contains = self._get_param("NameContains") or ""
    endpoint = self._get_param("EndpointName") or ""
    found = [
        s.summary()
        for s in sorted(schedules(self.sagemaker_backend).values(), key=lambda s: s.created)
        if contains in s.name and (not endpoint or s.endpoint == endpoint)
    ]
    return ActionResult({"MonitoringScheduleSummaries": found})


def delete_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    schedule = _schedule(self)
    with _lock:
        schedules(self.sagemaker_backend).pop(schedule.name, None)
    return EmptyResult()


def start_monitoring_schedule(self: Any) -> Any:
    """Scheduled again, and (the local trigger) one execution now."""
    from moto.core.responses import EmptyResult

    schedule = _schedule(self)
    schedule.status = "Scheduled"
    _execute(self.sagemaker_backend, schedule)
    return EmptyResult()


def stop_monitoring_schedule(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    _schedule(self).status = "Stopped"
    return EmptyResult()


def list_monitoring_executions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    param = self._get_param
    wanted = {
        "schedule": param("MonitoringScheduleName"),
        "endpoint": param("EndpointName"),
        "status": param("StatusEquals"),
        "definition": param("MonitoringJobDefinitionName"),
        "type": param("MonitoringTypeEquals"),
    }
    after, before = _utc(param("ScheduledTimeAfter")), _utc(param("ScheduledTimeBefore"))
    found = [
        (execution, schedule.monitoring_type)
        for schedule in schedules(self.sagemaker_backend).values()
        for execution in schedule.executions
        if _matches(wanted, execution, schedule.monitoring_type)
        and _between(_utc(execution.scheduled), after, before)
    ]
    by_status = param("SortBy") == "Status"
    found.sort(
        key=lambda pair: pair[0].status if by_status else pair[0].scheduled.isoformat(),
        reverse=(param("SortOrder") or "Descending") == "Descending",
    )
    limit = int(param("MaxResults") or 100)
    return ActionResult({"MonitoringExecutionSummaries": [e.summary(t) for e, t in found[:limit]]})


def _matches(wanted: dict[str, Any], execution: Execution, monitoring_type: str) -> bool:
    actual = {
        "schedule": execution.schedule,
        "endpoint": execution.endpoint,
        "status": execution.status,
        "definition": execution.job_definition,
        "type": monitoring_type,
    }
    return all(not value or actual[key] == value for key, value in wanted.items())


def _between(moment: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    return moment is None or ((after is None or moment > after) and (before is None or moment < before))


def _utc(moment: Any) -> datetime | None:
    """A request or moto time as an aware UTC datetime (moto keeps naive UTC)."""
    if moment is None or moment == "":
        return None
    when: datetime = (
        moment if isinstance(moment, datetime) else datetime.fromtimestamp(float(moment), timezone.utc)
    )
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


OPERATIONS = {
    "create_monitoring_schedule": create_monitoring_schedule,
    "describe_monitoring_schedule": describe_monitoring_schedule,
    "list_monitoring_schedules": list_monitoring_schedules,
    "delete_monitoring_schedule": delete_monitoring_schedule,
    "start_monitoring_schedule": start_monitoring_schedule,
    "stop_monitoring_schedule": stop_monitoring_schedule,
    "list_monitoring_executions": list_monitoring_executions,
}


# ------------------------------------------------------------------------------------------- helpers
def _schedule(response: Any) -> Schedule:
    from moto.sagemaker.exceptions import ResourceNotFound

    name = response._get_param("MonitoringScheduleName")
    found = schedules(response.sagemaker_backend).get(name)
    if found is None:
        raise ResourceNotFound(f"Could not find monitoring schedule {name!r}.")
    return found


def _endpoint_of(definition: Any) -> str:
    from moto.sagemaker.exceptions import ValidationError

    endpoint = (definition.data_quality_job_input.get("EndpointInput") or {}).get("EndpointName", "")
    if not endpoint:
        raise ValidationError("The job definition's DataQualityJobInput has no EndpointInput.EndpointName.")
    return str(endpoint)


def _capture_uri(backend: Any, endpoint_name: str) -> str:
    from moto.sagemaker.exceptions import ValidationError

    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:endpoint/{endpoint_name}"
        raise ValidationError(f"Could not find endpoint '{arn}'.")
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    capture = (config.data_capture_config if config else None) or endpoint.data_capture_config or {}
    if not capture.get("EnableCapture") or not capture.get("DestinationS3Uri"):
        raise ValidationError(
            f"Endpoint {endpoint_name!r} does not capture data; deploy it with a DataCaptureConfig before "
            "monitoring it"
        )
    return str(capture["DestinationS3Uri"])


def _execute(backend: Any, schedule: Schedule) -> None:
    """Record an execution and its processing job now; analyse in the background."""
    from moto.core.utils import utcnow

    definition = backend.data_quality_job_definitions.get(schedule.job_definition)
    now = utcnow()
    outputs = (definition.data_quality_job_output_config if definition else {}).get("MonitoringOutputs") or [
        {}
    ]
    output_uri = str((outputs[0].get("S3Output") or {}).get("S3Uri", ""))
    report = report_uri(output_uri, schedule.endpoint, schedule.name, now)
    job = backend.create_processing_job(
        app_specification=dict(definition.data_quality_app_specification) if definition else {},
        experiment_config=None,
        network_config=None,
        processing_inputs=[],
        processing_job_name=execution_job_name(now),
        processing_output_config={
            "Outputs": [
                {
                    "OutputName": "result",
                    "S3Output": {
                        "S3Uri": report,
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        role_arn=definition.role_arn if definition else "",
        tags=[],
        stopping_condition={"MaxRuntimeInSeconds": 3600},
    )
    job.processing_job_status = "InProgress"
    previous = schedule.executions[-1].scheduled if schedule.executions else None
    execution = Execution(schedule.name, schedule.endpoint, schedule.job_definition, now, job.arn, report)
    with _lock:
        schedule.executions.append(execution)
    _background(_analyse, backend, definition, execution, job, previous)


def _analyse(backend: Any, definition: Any, execution: Execution, job: Any, since: datetime | None) -> None:
    from moto.core.utils import utcnow

    try:
        if definition is None:
            raise ExecutionFailure(f"job definition {execution.job_definition!r} no longer exists")
        status = analyse(backend, definition, execution, _capture_uri(backend, execution.endpoint), since)
    except Exception as exc:  # noqa: BLE001 - any failure is the execution's Failed status
        if not isinstance(exc, ExecutionFailure):
            LOG.exception("monitoring execution of %s crashed", execution.schedule)
        status, execution.failure_reason = "Failed", getattr(exc, "message", None) or str(exc)
        job.failure_reason = job.exit_message = execution.failure_reason
    _log_job(  # before the status changes: whoever waits for the status reads the whole log
        job,
        f"Analysing the traffic captured for endpoint {execution.endpoint} (schedule {execution.schedule})",
        f"{status}: {execution.failure_reason}"
        if status == "Failed"
        else f"{status}: {execution.report_uri}",
    )
    job.processing_end_time = job.last_modified_time = execution.modified = utcnow()
    job.processing_job_status = "Failed" if status == "Failed" else "Completed"
    execution.status = status


def _baseline(
    job: Any, account_id: str, environment: dict[str, str], inputs: list[Any], outputs: dict[str, Any]
) -> None:
    from moto.core.utils import utcnow

    status = "Completed"
    try:
        run_baselining(account_id, environment, inputs, outputs)
    except BaselineFailure as exc:
        status, job.failure_reason = "Failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - a job's crash is its Failed status
        LOG.exception("baselining job crashed")
        status, job.failure_reason = "Failed", f"InternalServerError: {exc}"
    reason = f"Failed: {job.failure_reason}" if status == "Failed" else "Completed: baseline suggested"
    _log_job(job, "Suggesting a baseline from the dataset", reason)
    job.processing_end_time = job.last_modified_time = utcnow()
    job.processing_job_status = status


def _log_job(job: Any, *lines: str) -> None:
    """The job's lines in CloudWatch Logs, as SageMaker logs a processing job; never fails the job."""
    try:
        write_job_logs(job.arn, lines)
    except Exception:  # noqa: BLE001 - a lost log line must not change the job's outcome
        LOG.exception("could not write the logs of %s", job.arn)


def _background(target: Any, *args: Any) -> None:
    threading.Thread(target=target, args=args, daemon=True, name="sagemaker-monitoring").start()
