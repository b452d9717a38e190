"""Make moto's SageMaker run batch transform jobs: ``install()`` patches ``CreateTransformJob``.

moto records a transform job ``Completed`` at once and runs nothing. After ``install()`` (the
``cloudai.moto_patches`` entry point, idempotent) ``CreateTransformJob`` from any client first checks what
SageMaker checks (a new name, an existing model with a ``ModelDataUrl``, the options' constraints:
``ValidationException`` / ``ResourceInUse``), then moto records the job ``InProgress`` and a background
thread runs it (:mod:`.sagemaker_batch.job_run`), moving it to ``Completed`` or ``Failed`` with
``FailureReason``, ``TransformStartTime`` and ``TransformEndTime``: what ``DescribeTransformJob`` and the
``transform_job_completed_or_stopped`` waiter read. ``StopTransformJob`` (which moto lacks) moves an
``InProgress`` job to ``Stopping``, and to ``Stopped`` before its next input object.
"""

from __future__ import annotations

import logging
import threading
from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import PATCHED_MARK, patch_method, when_imported
from aws_ai_services.emulator.sagemaker_batch.job_run import (
    TransformFailure,
    TransformJob,
    TransformStopped,
    run,
)
from aws_ai_services.emulator.sagemaker_batch.options import InvalidOptions, JobOptions

LOG = logging.getLogger(__name__)
REQUEST_FIELDS = ("TransformInput", "TransformOutput", "DataProcessing", "BatchStrategy", "MaxPayloadInMB")


def install() -> None:
    when_imported("moto.sagemaker.responses", _patch_responses)


def _patch_responses(module: ModuleType) -> None:
    def make_create(original: Any) -> Any:
        def create_transform_job(self: Any) -> Any:
            backend = self.sagemaker_backend
            job = _checked(backend, self._get_param)
            answer = original(self)
            record = backend.transform_jobs[job.name]
            _start(record, job)
            return answer

        return create_transform_job

    patch_method(module.SageMakerResponse, "create_transform_job", make_create)
    if "stop_transform_job" not in vars(module.SageMakerResponse):
        setattr(stop_transform_job, PATCHED_MARK, True)
        module.SageMakerResponse.stop_transform_job = stop_transform_job


def stop_transform_job(self: Any) -> Any:
    """``StopTransformJob``: an InProgress job becomes Stopping, then Stopped; others are refused."""
    from moto.core.responses import EmptyResult
    from moto.sagemaker.exceptions import ValidationError

    name = self._get_param("TransformJobName")
    record = self.sagemaker_backend.transform_jobs.get(name)
    if record is None:
        arn = f"arn:aws:sagemaker:{self.region}:{self.current_account}:transform-job/{name}"
        raise ValidationError(f"Could not find transform job '{arn}'.")
    if record.transform_job_status not in ("InProgress", "Stopping"):
        raise ValidationError(
            f"Transform job {name} is {record.transform_job_status}; only an InProgress job can be stopped."
        )
    record.transform_job_status = "Stopping"
    return EmptyResult()


def _checked(backend: Any, param: Any) -> TransformJob:
    """The job to run, or the error SageMaker answers before recording anything."""
    from moto.sagemaker.exceptions import MissingModel, ResourceInUseException, ValidationError

    name = param("TransformJobName")
    if name in backend.transform_jobs:
        raise ResourceInUseException(f"Transform job {name} already exists.")
    options = JobOptions.from_request({field: param(field) for field in REQUEST_FIELDS})
    try:
        options.validate()
    except InvalidOptions as exc:
        raise ValidationError(str(exc)) from exc
    model_name = param("ModelName")
    model = backend._models.get(model_name)
    if model is None:
        raise MissingModel(model_name)
    container = model.primary_container or (model.containers or [{}])[0] or {}
    artifact = str(container.get("ModelDataUrl") or "")
    if not artifact:
        raise ValidationError(
            f"Model {model_name} has no ModelDataUrl: batch transform needs a trained model."
        )
    source = ((param("TransformInput") or {}).get("DataSource") or {}).get("S3DataSource") or {}
    output = (param("TransformOutput") or {}).get("S3OutputPath", "")
    if not str(source.get("S3Uri", "")).startswith("s3://") or not str(output).startswith("s3://"):
        raise ValidationError("TransformInput S3Uri and TransformOutput S3OutputPath must be s3:// URIs.")
    return TransformJob(
        name, backend.account_id, backend.region_name, source["S3Uri"], output, artifact, options
    )


def _start(record: Any, job: TransformJob) -> None:
    record.transform_job_status = "InProgress"
    record.transform_end_time = None
    thread = threading.Thread(target=_run, args=(record, job), name=f"transform-{job.name}", daemon=True)
    thread.start()


def _run(record: Any, job: TransformJob) -> None:
    """Run the job; ``TransformStartTime``/``TransformEndTime`` are when its work really began and ended
    (SageMaker bills that interval; moto stamps both with the creation time)."""
    from moto.core.utils import utcnow

    record.transform_start_time = record.last_modified_time = utcnow()
    status = "Completed"
    try:
        run(job, should_stop=lambda: record.transform_job_status == "Stopping")
    except TransformStopped:
        status = "Stopped"
    except TransformFailure as exc:
        status, record.failure_reason = "Failed", f"ClientError: {exc}"
    except Exception as exc:  # noqa: BLE001 - a job's own crash is its Failed status, never the server's
        LOG.exception("transform job %s crashed", job.name)
        status, record.failure_reason = "Failed", f"InternalServerError: {type(exc).__name__}: {exc}"
    record.transform_end_time = record.last_modified_time = utcnow()
    record.transform_job_status = status  # last: a client that sees the final status sees the rest
