"""moto patches: CreateTrainingJob starts a local run, StopTrainingJob stops it, a reset ends them all.

Wired by the ``cloudai.moto_patches`` entry point (idempotent). moto records the job as it always does; the
patch keeps the request's ``MetricDefinitions`` (moto replaces them with a canned one), refuses a reused
name with ``ResourceInUse`` as SageMaker does, marks the job ``InProgress``/``Starting`` and hands it to a
background run (:mod:`.execution`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob, JobStore, cancel_everywhere

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

JOBS = JobStore("sagemaker-training")


def install() -> None:
    when_imported("moto.sagemaker.models", _patch_backend)
    when_imported("moto.sagemaker.responses", _patch_responses)


def scope_of(backend: Any) -> str:
    """The reset scope of one moto SageMaker backend (an account in a region)."""
    return f"{backend.account_id}:{backend.region_name}"


def _patch_backend(module: ModuleType) -> None:
    backend_class = module.SageMakerModelBackend
    patch_method(backend_class, "create_training_job", _make_create(module))
    if "stop_training_job" not in vars(backend_class):
        backend_class.stop_training_job = _stop_training_job
    if "reset" not in vars(backend_class):

        def reset(self: Any) -> None:
            cancel_everywhere(scope_of(self))
            super(backend_class, self).reset()

        backend_class.reset = reset


def _make_create(module: ModuleType) -> Any:
    from moto.sagemaker.exceptions import ResourceInUseException

    def make(original: Any) -> Any:
        def create_training_job(self: Any, **kwargs: Any) -> Any:
            name = kwargs["training_job_name"]
            if name in self.training_jobs:
                arn = module.FakeTrainingJob.arn_formatter(name, self.account_id, self.region_name)
                raise ResourceInUseException(
                    message="Training job names must be unique within an AWS account and region, and a "
                    f"training job with this name already exists ({arn})"
                )
            _check_spot(kwargs)
            definitions = list((kwargs.get("algorithm_specification") or {}).get("MetricDefinitions") or [])
            job = original(self, **kwargs)
            job.algorithm_specification = {**job.algorithm_specification, "MetricDefinitions": definitions}
            if not definitions:
                job.algorithm_specification.pop("MetricDefinitions")
            _start(self, job)
            return job

        return create_training_job

    return make


def _check_spot(request: dict[str, Any]) -> None:
    """SageMaker's own checks of a managed spot request (moto makes none)."""
    from moto.sagemaker.exceptions import ValidationError

    if not request.get("enable_managed_spot_training"):
        return
    stopping = request.get("stopping_condition") or {}
    runtime, wait = stopping.get("MaxRuntimeInSeconds", 86400), stopping.get("MaxWaitTimeInSeconds")
    if wait is None or int(wait) < int(runtime):
        raise ValidationError(
            message=f"Invalid MaxWaitTimeInSeconds ({wait}): for managed spot training it must be present "
            f"and greater than or equal to MaxRuntimeInSeconds ({runtime})."
        )


def _start(backend: Any, job: Any) -> None:
    from aws_ai_services.emulator.sagemaker_training.execution import TrainingExecution
    from aws_ai_services.emulator.sagemaker_training.record import TrainingRecord

    record = TrainingRecord(job)
    record.created()
    account, region = backend.account_id, backend.region_name

    def work(control: BackgroundJob) -> None:
        TrainingExecution(record, account, region, control).run()

    JOBS.submit(job.arn, scope_of(backend), work)


def _stop_training_job(self: Any, training_job_name: str) -> None:
    """SageMaker's StopTrainingJob: ``Stopping`` at once, ``Stopped`` when the process group has ended."""
    from moto.sagemaker.exceptions import ValidationError

    from aws_ai_services.emulator.sagemaker_training.record import TrainingRecord

    self.describe_training_job(training_job_name)  # ValidationException for an unknown job, as SageMaker
    job = self.training_jobs[training_job_name]
    if job.training_job_status != "InProgress" or not JOBS.stop(job.arn):
        raise ValidationError(
            message="The request was rejected because the training job is in status "
            f"{job.training_job_status}."
        )
    TrainingRecord(job).stopping()


def _patch_responses(module: ModuleType) -> None:
    response_class = module.SageMakerResponse
    if "stop_training_job" in vars(response_class):
        return

    def stop_training_job(self: Any) -> Any:
        self.sagemaker_backend.stop_training_job(self._get_param("TrainingJobName"))
        return module.EmptyResult()

    response_class.stop_training_job = stop_training_job
