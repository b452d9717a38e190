"""moto patches: CreateHyperParameterTuningJob runs its trials; List...ForHyperParameterTuningJob, Stop.

moto records a tuning job with canned results (``Completed`` at once, a fake best job). The patch checks the
request as SageMaker does (ranges, strategy, objective metric, static vs tuned hyperparameters), clears the
canned fields, and hands the job to a background run (:mod:`.execution`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob, JobStore

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

JOBS = JobStore("sagemaker-tuning")
STRATEGIES = ("Bayesian", "Random", "Grid")  # and Hyperband, which is not emulated


def install() -> None:
    when_imported("moto.sagemaker.models", _patch_backend)
    when_imported("moto.sagemaker.responses", _patch_responses)


def _patch_backend(module: ModuleType) -> None:
    backend_class = module.SageMakerModelBackend
    patch_method(backend_class, "create_hyper_parameter_tuning_job", _make_create)
    backend_class.list_training_jobs_for_hyper_parameter_tuning_job = _list_trials
    backend_class.stop_hyper_parameter_tuning_job = _stop_tuning_job
    patch_method(module.HyperParameterTuningJob, "describe", _without_nones)


def _check(request: dict[str, Any]) -> None:
    """SageMaker's checks of a tuning request that its service model cannot express."""
    from moto.sagemaker.exceptions import ValidationError

    from aws_ai_services.emulator.sagemaker_tuning.ranges import RangeError, grid_points, parse_ranges

    config = request.get("hyper_parameter_tuning_job_config") or {}
    definition = request.get("training_job_definition") or {}
    if not definition:
        raise ValidationError(
            message="TrainingJobDefinition is required (TrainingJobDefinitions is not emulated)"
        )
    strategy = config.get("Strategy", "Bayesian")
    if strategy not in (*STRATEGIES, "Hyperband"):  # the service-model check refuses these first
        raise ValidationError(
            message=f"1 validation error detected: Value '{strategy}' at "
            "'hyperParameterTuningJobConfig.strategy' failed to satisfy constraint: "
            "Member must satisfy enum value set: [Bayesian, Random, Hyperband, Grid]"
        )
    if strategy == "Hyperband":
        raise ValidationError(
            message=f"The {strategy} strategy is not emulated by the local cloud; use one of "
            f"{', '.join(STRATEGIES)} (Hyperband's early stopping needs SageMaker's own scheduler)"
        )
    try:
        ranges = parse_ranges(config.get("ParameterRanges") or {})
        if strategy == "Grid":
            grid_points(ranges)
    except RangeError as exc:
        raise ValidationError(message=str(exc)) from exc
    metric = (config.get("HyperParameterTuningJobObjective") or {}).get("MetricName", "")
    defined = [d["Name"] for d in definition.get("AlgorithmSpecification", {}).get("MetricDefinitions") or []]
    if metric not in defined:
        raise ValidationError(
            message=f"The objective metric {metric!r} is not defined in MetricDefinitions "
            f"({', '.join(defined) or 'none'}); add a regex for it."
        )
    both = sorted({r.name for r in ranges} & set(definition.get("StaticHyperParameters") or {}))
    if both:
        raise ValidationError(
            message=f"Hyperparameters {', '.join(both)} are both static and tuned; keep them in one place"
        )
    if strategy != "Grid" and not (config.get("ResourceLimits") or {}).get("MaxNumberOfTrainingJobs"):
        raise ValidationError(message="ResourceLimits.MaxNumberOfTrainingJobs is required for this strategy")


def _make_create(original: Any) -> Any:
    def create_hyper_parameter_tuning_job(self: Any, **kwargs: Any) -> Any:
        _check(kwargs)
        arn = original(self, **kwargs)
        tuning = self.hyper_parameter_tuning_jobs[kwargs["hyper_parameter_tuning_job_name"]]
        _clear_canned(tuning)
        _start(self, tuning)
        return arn

    return create_hyper_parameter_tuning_job


def _clear_canned(tuning: Any) -> None:
    zero = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    tuning.hyper_parameter_tuning_job_status = "InProgress"
    tuning.training_job_status_counters = zero
    tuning.objective_status_counters = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    tuning.best_training_job = None
    tuning.OverallBestTrainingJob = None
    tuning.hyper_parameter_tuning_end_time = None
    tuning.failure_reason = None
    tuning.tuning_job_completion_details = None
    tuning.consumed_resources = {"RuntimeInSeconds": 0}
    tuning.executions = None


def _start(backend: Any, tuning: Any) -> None:
    from aws_ai_services.emulator.sagemaker_training.install import scope_of
    from aws_ai_services.emulator.sagemaker_tuning.execution import TuningExecution

    def work(control: BackgroundJob) -> None:
        execution = TuningExecution(backend, tuning, control, _stop_trial)
        tuning.executions = execution
        execution.run()

    JOBS.submit(tuning.arn, scope_of(backend), work)


def _stop_trial(backend: Any, name: str) -> None:
    try:
        backend.stop_training_job(name)
    except Exception:  # noqa: BLE001, S110 - it ended meanwhile: nothing to stop
        pass


def _tuning_or_error(backend: Any, name: str) -> Any:
    from moto.sagemaker.exceptions import ResourceNotFound

    if name not in backend.hyper_parameter_tuning_jobs:
        raise ResourceNotFound(message=f"Could not find hyper parameter tuning job '{name}'.")
    return backend.hyper_parameter_tuning_jobs[name]


def _list_trials(
    self: Any, hyper_parameter_tuning_job_name: str, status_equals: str | None = None
) -> list[Any]:
    tuning = _tuning_or_error(self, hyper_parameter_tuning_job_name)
    execution = getattr(tuning, "executions", None)
    if execution is None:
        return []
    found = [execution.summary(t) for t in list(execution.trials)]
    return [s for s in found if not status_equals or s["TrainingJobStatus"] == status_equals]


def _stop_tuning_job(self: Any, hyper_parameter_tuning_job_name: str) -> None:
    from moto.sagemaker.exceptions import ValidationError

    tuning = _tuning_or_error(self, hyper_parameter_tuning_job_name)
    if tuning.hyper_parameter_tuning_job_status != "InProgress" or not JOBS.stop(tuning.arn):
        raise ValidationError(
            message="The request was rejected because the hyperparameter tuning job is in status "
            f"{tuning.hyper_parameter_tuning_job_status}."
        )
    tuning.hyper_parameter_tuning_job_status = "Stopping"


def _without_nones(original: Any) -> Any:
    def describe(self: Any) -> dict[str, Any]:
        return {key: value for key, value in original(self).items() if value is not None}

    return describe


def _patch_responses(module: ModuleType) -> None:
    response_class = module.SageMakerResponse

    def list_training_jobs_for_hyper_parameter_tuning_job(self: Any) -> Any:
        summaries = self.sagemaker_backend.list_training_jobs_for_hyper_parameter_tuning_job(
            self._get_param("HyperParameterTuningJobName"), self._get_param("StatusEquals")
        )
        return module.ActionResult({"TrainingJobSummaries": summaries})

    def stop_hyper_parameter_tuning_job(self: Any) -> Any:
        self.sagemaker_backend.stop_hyper_parameter_tuning_job(self._get_param("HyperParameterTuningJobName"))
        return module.EmptyResult()

    for function in (list_training_jobs_for_hyper_parameter_tuning_job, stop_hyper_parameter_tuning_job):
        if function.__name__ not in vars(response_class):
            setattr(response_class, function.__name__, function)
