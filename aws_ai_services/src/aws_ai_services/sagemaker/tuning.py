"""HyperparameterTuner: SageMaker hyperparameter tuning jobs whose trials are real training jobs.

``tune`` sends ``CreateHyperParameterTuningJob`` (strategy, objective, resource limits, parameter ranges,
and a ``TrainingJobDefinition`` built exactly like :class:`SageMakerTrainer` builds a training job), waits
until the service has run the trials, and reads the outcome back: ``DescribeHyperParameterTuningJob`` for
the status, counters and best job, ``ListTrainingJobsForHyperParameterTuningJob`` for every trial. SageMaker
(in the local cloud, its server side) draws the configurations — ``Random`` from ``RandomSeed``, ``Grid``
every combination, ``Bayesian`` from a model of the results so far — and checks the request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import TrainingSpec

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.training.tuning_ranges import Parameter, parameter_ranges_request
from aws_ai_services.sagemaker.training.tuning_result import ObjectiveType, TuningJob, TuningTrial
from aws_ai_services.sagemaker.training_jobs import SageMakerTrainer
from aws_ai_services.sagemaker.waiting import wait_until_done

Strategy = Literal["Random", "Grid", "Bayesian", "Hyperband"]


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

    # ------------------------------------------------------------------ tune
    def tune(self, name: str, base: TrainingSpec, *, timeout_seconds: float = 3600) -> TuningJob:
        """Run the tuning job ``name`` over ``base`` (its hyperparameters are the static ones)."""
        request = self.tuning_request(name, base)
        with aws_errors("models.tune"):
            self.trainer.client.create_hyper_parameter_tuning_job(**request)
        wait_until_done(
            lambda: self._describe_raw(name),
            "HyperParameterTuningJobStatus",
            ("InProgress", "Stopping"),
            timeout=timeout_seconds,
            what=f"tuning job {name}",
        )
        return self.describe(name)

    def tuning_request(self, name: str, base: TrainingSpec) -> dict[str, Any]:
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
                "MaxNumberOfTrainingJobs": self._job_count(),
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

    # ------------------------------------------------------------------ describe
    def _job_count(self) -> int:
        """``max_jobs``; for ``Grid``, every combination of the categorical values (what the grid runs)."""
        if self.strategy != "Grid":
            return self.max_jobs
        return math.prod(len(getattr(p, "values", ())) or 1 for p in self.hyperparameter_ranges.values())

    def _describe_raw(self, name: str) -> dict[str, Any]:
        with aws_errors("models.describe_tuning_job"):
            description: dict[str, Any] = self.trainer.client.describe_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=name
            )
        return description

    def describe(self, name: str) -> TuningJob:
        """The tuning job with its trials, as SageMaker reports them."""
        return self._from_cloud(self._describe_raw(name))

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
        started, ended = description.get("CreationTime"), description.get("HyperParameterTuningEndTime")
        return TuningJob(
            name=name,
            status="Stopped" if status == "Stopping" else status,
            provider=self.trainer.provider,
            strategy=config["Strategy"],
            objective_metric=objective["MetricName"],
            objective_type=objective["Type"],
            trials=tuple(trials),
            started=started,
            ended=ended,
            wall_seconds=(ended - started).total_seconds() if started and ended else 0.0,
            failure_reason=description.get("FailureReason", ""),
            status_counters=dict(description.get("TrainingJobStatusCounters", {})),
        )


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
