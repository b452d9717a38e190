"""HyperparameterTuner: SageMaker hyperparameter tuning jobs whose trials are real training jobs.

``tune`` sends ``CreateHyperParameterTuningJob`` (strategy, objective, resource limits, parameter ranges,
and a ``TrainingJobDefinition`` built exactly like :class:`SageMakerTrainer` builds a training job). In
cloud mode SageMaker runs the trials and we poll until it ends. In local mode moto only records the job,
so the trials are run here: ``Random`` draws ``max_jobs`` configurations from ``RandomSeed``, ``Grid`` takes
every combination; each configuration is a real training job (named ``<tuning job>-<NNN>-<hex>`` like
SageMaker's), run ``max_parallel_jobs`` at a time (at most two local workers), and its objective metric is
parsed with the regex of its ``MetricDefinitions``. The outcome is kept in S3 (see ``tuning_result``).
``Bayesian`` and ``Hyperband`` need SageMaker's own optimizer, so in local mode they are unsupported.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Literal

from multi_cloud.core.errors import InvalidArgument, NotFound, Unsupported
from multi_cloud.core.types import TrainingSpec
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.aws_validation import aws_error, check_enum, check_range
from aws_ai_services.sagemaker.job_state import utc_now
from aws_ai_services.sagemaker.training_jobs import SageMakerTrainer
from aws_ai_services.sagemaker.tuning_ranges import (
    Parameter,
    grid_configurations,
    parameter_ranges_request,
    random_configurations,
)
from aws_ai_services.sagemaker.tuning_result import (
    STATE_FILENAME,
    ObjectiveType,
    TuningJob,
    TuningTrial,
    status_counters,
)

Strategy = Literal["Random", "Grid", "Bayesian", "Hyperband"]
STRATEGIES = ("Bayesian", "Random", "Hyperband", "Grid")
LOCAL_STRATEGIES = ("Random", "Grid")
OPERATION = "CreateHyperParameterTuningJob"
#: SageMaker's rule for tuning job names (trial names add -NNN-xxxxxxxx)
TUNING_JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
MAX_TUNING_JOB_NAME = 32
#: trials run at once on this machine, whatever MaxParallelTrainingJobs says (2 cores here)
MAX_LOCAL_WORKERS = 2
CLOUD_POLL_SECONDS = 30


class HyperparameterTuner:
    """Search hyperparameters for the best objective metric with real training jobs."""

    def __init__(
        self,
        trainer: SageMakerTrainer,
        *,
        objective_metric_name: str,
        metric_definitions: Mapping[str, str],
        hyperparameter_ranges: Mapping[str, Parameter],
        objective_type: ObjectiveType = "Maximize",
        strategy: Strategy = "Random",
        max_jobs: int = 4,
        max_parallel_jobs: int = 1,
        random_seed: int = 0,
    ) -> None:
        self.trainer = trainer
        self.objective_metric_name = objective_metric_name
        self.metric_definitions = dict(metric_definitions)
        self.hyperparameter_ranges = dict(hyperparameter_ranges)
        self.objective_type = objective_type
        self.strategy = strategy
        self.max_jobs = max_jobs
        self.max_parallel_jobs = max_parallel_jobs
        self.random_seed = random_seed
        self._lock = threading.Lock()

    @property
    def local(self) -> bool:
        return self.trainer.settings.mode == "local"

    # ------------------------------------------------------------------ tune
    def tune(self, name: str, base: TrainingSpec) -> TuningJob:
        """Run the tuning job ``name`` over ``base`` (its hyperparameters are the static ones)."""
        configurations = self._check(name, base)
        request = self.tuning_request(name, base, len(configurations))
        with aws_errors("models.tune"):
            self.trainer.client.create_hyper_parameter_tuning_job(**request)
        if not self.local:
            return self._wait_in_cloud(name)
        return self._run_locally(name, request, base, configurations)

    def _check(self, name: str, base: TrainingSpec) -> list[dict[str, Any]]:
        if len(name) > MAX_TUNING_JOB_NAME or not TUNING_JOB_NAME.match(name):
            raise aws_error(
                OPERATION,
                f"HyperParameterTuningJobName {name!r} is not valid: use 1-32 letters, digits and hyphens, "
                "starting and ending with a letter or digit",
            )
        check_enum(OPERATION, self.strategy, "hyperParameterTuningJobConfig.strategy", STRATEGIES)
        check_enum(
            OPERATION, self.objective_type, "hyperParameterTuningJobObjective.type", ("Maximize", "Minimize")
        )
        check_range(OPERATION, self.max_jobs, "resourceLimits.maxNumberOfTrainingJobs", 1, 500)
        check_range(OPERATION, self.max_parallel_jobs, "resourceLimits.maxParallelTrainingJobs", 1, 100)
        if self.objective_metric_name not in self.metric_definitions:
            raise aws_error(
                OPERATION,
                f"The objective metric {self.objective_metric_name!r} is not defined in MetricDefinitions "
                f"({', '.join(self.metric_definitions) or 'none'}); add a regex for it.",
            )
        if not self.hyperparameter_ranges:
            raise aws_error(OPERATION, "ParameterRanges is empty: give at least one range to tune")
        both = sorted(set(self.hyperparameter_ranges) & set(base.hyperparameters))
        if both:
            raise aws_error(
                OPERATION,
                f"Hyperparameters {', '.join(both)} are both static and tuned; keep them in one place",
            )
        if self.local and self.strategy not in LOCAL_STRATEGIES:
            raise Unsupported(
                f"the {self.strategy} strategy needs SageMaker's own optimizer, which local mode does not "
                f"reproduce; use {' or '.join(LOCAL_STRATEGIES)} here, or CLOUDAI_MODE=cloud.",
                provider=self.trainer.provider,
                operation="models.tune",
            )
        parameter_ranges_request(self.hyperparameter_ranges)  # validates every range
        if self.strategy == "Grid":
            return grid_configurations(self.hyperparameter_ranges)
        return random_configurations(self.hyperparameter_ranges, self.max_jobs, self.random_seed)

    def tuning_request(self, name: str, base: TrainingSpec, job_count: int) -> dict[str, Any]:
        """The ``CreateHyperParameterTuningJob`` request (code and inputs staged under ``name``)."""
        staged = self.trainer.training_request(
            replace(base, name=name), metric_definitions=self.metric_definitions
        )
        static = dict(staged["HyperParameters"])
        definition = {
            key: value for key, value in staged.items() if key not in ("TrainingJobName", "HyperParameters")
        }
        definition["StaticHyperParameters"] = static
        config: dict[str, Any] = {
            "Strategy": self.strategy,
            "HyperParameterTuningJobObjective": {
                "Type": self.objective_type,
                "MetricName": self.objective_metric_name,
            },
            "ResourceLimits": {
                "MaxNumberOfTrainingJobs": job_count,
                "MaxParallelTrainingJobs": self.max_parallel_jobs,
            },
            "ParameterRanges": parameter_ranges_request(self.hyperparameter_ranges),
            "TrainingJobEarlyStoppingType": "Off",
        }
        if self.strategy != "Grid":
            config["RandomSeed"] = self.random_seed
        return {
            "HyperParameterTuningJobName": name,
            "HyperParameterTuningJobConfig": config,
            "TrainingJobDefinition": definition,
        }

    # ------------------------------------------------------------------ local execution
    def _run_locally(
        self, name: str, request: Mapping[str, Any], base: TrainingSpec, configurations: list[dict[str, Any]]
    ) -> TuningJob:
        started_clock = time.monotonic()
        job = TuningJob(
            name=name,
            status="InProgress",
            provider=self.trainer.provider,
            strategy=self.strategy,
            objective_metric=self.objective_metric_name,
            objective_type=self.objective_type,
            started=utc_now(),
        )
        self._write(job)
        inputs = {
            channel["ChannelName"]: channel["DataSource"]["S3DataSource"]["S3Uri"]
            for channel in request["TrainingJobDefinition"]["InputDataConfig"]
        }
        specs = [
            replace(
                base,
                name=f"{name}-{index:03d}-{uuid.uuid4().hex[:8]}",
                hyperparameters={**base.hyperparameters, **configuration},
                inputs=inputs,
            )
            for index, configuration in enumerate(configurations, start=1)
        ]
        self._warm_clients()
        trials: list[TuningTrial] = []
        workers = max(1, min(self.max_parallel_jobs, MAX_LOCAL_WORKERS))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"tuning-{name}") as pool:
            for trial in pool.map(lambda spec: self._trial(spec, base), specs):
                trials.append(trial)
                with self._lock:
                    job = replace(job, trials=tuple(trials), status_counters=status_counters(tuple(trials)))
                    self._write(job)
        scored = [t for t in trials if t.objective_value is not None]
        job = replace(
            job,
            status="Completed" if scored else "Failed",
            failure_reason=""
            if scored
            else "No training job reported the objective metric; see their FailureReason",
            ended=utc_now(),
            wall_seconds=time.monotonic() - started_clock,
        )
        self._write(job)
        return job

    def _trial(self, spec: TrainingSpec, base: TrainingSpec) -> TuningTrial:
        started = time.monotonic()
        result = self.trainer.train(spec, metric_definitions=self.metric_definitions)
        tuned = {
            key: str(value)
            for key, value in spec.hyperparameters.items()
            if key in self.hyperparameter_ranges
        }
        value = result.metrics.get(self.objective_metric_name)
        return TuningTrial(
            training_job_name=spec.name,
            hyperparameters=tuned,
            status=result.status,
            objective_value=value if result.status == "Completed" else None,
            failure_reason=result.failure_reason,
            seconds=time.monotonic() - started,
        )

    def _warm_clients(self) -> None:
        """Create the shared clients before the worker threads use them (creating one is not thread-safe)."""
        _ = (self.trainer.client, self.trainer.storage.client, self.trainer.logs.client)

    # ------------------------------------------------------------------ describe
    def describe(self, name: str) -> TuningJob:
        """The tuning job with its trials: the local record when there is one, else SageMaker's answer."""
        with aws_errors("models.describe_tuning_job"):
            description = self.trainer.client.describe_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=name
            )
        recorded = self._read(name)
        return recorded if recorded is not None else self._from_cloud(description)

    def _from_cloud(self, description: Mapping[str, Any]) -> TuningJob:
        name = description["HyperParameterTuningJobName"]
        config = description["HyperParameterTuningJobConfig"]
        objective = config["HyperParameterTuningJobObjective"]
        trials: list[TuningTrial] = []
        with aws_errors("models.describe_tuning_job"):
            pages = self.trainer.client.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job")
            for page in pages.paginate(HyperParameterTuningJobName=name):
                trials += [_trial_from_summary(s) for s in page.get("TrainingJobSummaries", [])]
        status = description["HyperParameterTuningJobStatus"]
        return TuningJob(
            name=name,
            status="Stopped" if status == "Stopping" else status,
            provider=self.trainer.provider,
            strategy=config["Strategy"],
            objective_metric=objective["MetricName"],
            objective_type=objective["Type"],
            trials=tuple(trials),
            started=description.get("CreationTime"),
            ended=description.get("HyperParameterTuningEndTime"),
            failure_reason=description.get("FailureReason", ""),
            status_counters=dict(description.get("TrainingJobStatusCounters", {})),
        )

    def _wait_in_cloud(self, name: str) -> TuningJob:
        while True:
            job = self.describe(name)
            if job.status != "InProgress":
                return job
            time.sleep(CLOUD_POLL_SECONDS)

    # ------------------------------------------------------------------ state in S3
    def _state_uri(self, name: str) -> str:
        return self.trainer.storage.uri(self.trainer.artifact_bucket, f"{name}/tuning/{STATE_FILENAME}")

    def _write(self, job: TuningJob) -> None:
        bucket, key = split_uri(self._state_uri(job.name), scheme="s3")
        self.trainer.storage.put_object(bucket, key, job.to_json().encode(), content_type="application/json")

    def _read(self, name: str) -> TuningJob | None:
        bucket, key = split_uri(self._state_uri(name), scheme="s3")
        try:
            return TuningJob.from_json(self.trainer.storage.get_object(bucket, key).decode())
        except NotFound:
            return None


def _trial_from_summary(summary: Mapping[str, Any]) -> TuningTrial:
    metric = summary.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    status = summary["TrainingJobStatus"]
    if status not in ("InProgress", "Completed", "Failed", "Stopped"):
        raise InvalidArgument(f"unexpected training job status {status!r} in the tuning job")
    return TuningTrial(
        training_job_name=summary["TrainingJobName"],
        hyperparameters=dict(summary.get("TunedHyperParameters", {})),
        status=status,
        objective_value=float(metric["Value"]) if "Value" in metric else None,
        failure_reason=summary.get("FailureReason", ""),
    )
