"""One tuning job's local run: trials as real training jobs, the strategy's points, the best by the objective.

Trials are created through the same (patched) ``CreateTrainingJob`` a learner calls, named like SageMaker's
(``<tuning job>-<NNN>-<8 hex>``) and tagged with the tuning job's ARN, ``MaxParallelTrainingJobs`` at a time
(at most two on this machine). Counters, ``BestTrainingJob`` and the trial summaries are kept on the tuning
job as they finish; a stop request stops the running trials.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.jobs.store import BackgroundJob

from aws_ai_services.emulator.sagemaker_tuning.bayesian import next_point
from aws_ai_services.emulator.sagemaker_tuning.ranges import Range, grid_points, parse_ranges, random_points

log = logging.getLogger(__name__)
#: trials run at once on this machine, whatever MaxParallelTrainingJobs says (2 cores here)
MAX_LOCAL_WORKERS = 2
POLL_SECONDS = 0.05
RUNNING = ("InProgress", "Stopping")


class TuningExecution:
    def __init__(self, backend: Any, tuning: Any, control: BackgroundJob, stop_trial: Any) -> None:
        self.backend = backend
        self.tuning = tuning
        self.control = control
        self.stop_trial = stop_trial
        config = tuning.hyper_parameter_tuning_job_config
        self.ranges: list[Range] = parse_ranges(config["ParameterRanges"])
        self.strategy = config.get("Strategy", "Bayesian")
        objective = config["HyperParameterTuningJobObjective"]
        self.metric, self.maximize = objective["MetricName"], objective["Type"] == "Maximize"
        limits = config.get("ResourceLimits") or {}
        self.seed = int(config.get("RandomSeed", 0))
        self.points = grid_points(self.ranges) if self.strategy == "Grid" else []
        self.max_jobs = (
            len(self.points) if self.strategy == "Grid" else int(limits["MaxNumberOfTrainingJobs"])
        )
        if self.strategy == "Random":
            self.points = random_points(self.ranges, self.max_jobs, self.seed)
        self.parallel = max(1, min(int(limits.get("MaxParallelTrainingJobs", 1)), MAX_LOCAL_WORKERS))
        self.trials: list[Any] = []  # moto FakeTrainingJob objects, in creation order
        self.started = time.monotonic()

    def run(self) -> None:
        """Run the trials; whatever goes wrong in the local cloud ends the job ``Failed``, never stuck."""
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - SageMaker reports its own faults as InternalServerError
            log.exception(
                "tuning job %s: the local cloud failed", self.tuning.hyper_parameter_tuning_job_name
            )
            self.tuning.failure_reason = f"InternalServerError: the local cloud failed: {exc!r}"
            self.tuning.hyper_parameter_tuning_end_time = datetime.now(timezone.utc)
            self.tuning.hyper_parameter_tuning_job_status = "Failed"

    def _run(self) -> None:
        running: list[Any] = []
        while not self.control.stop_requested.is_set():
            while len(running) < self.parallel and len(self.trials) < self.max_jobs:
                running.append(self._create_trial(self._next_point()))
            if not running:
                break
            time.sleep(POLL_SECONDS)
            running = [t for t in running if t.training_job_status in RUNNING]
            self._publish()
        if self.control.cancelled.is_set():
            return
        for trial in running:
            self.stop_trial(self.backend, trial.training_job_name)
        while any(t.training_job_status in RUNNING for t in self.trials):
            time.sleep(POLL_SECONDS)
        self._finish(stopped=self.control.stop_requested.is_set())

    def _next_point(self) -> dict[str, str]:
        if self.strategy != "Bayesian":
            return self.points[len(self.trials)]
        history = [(self._tuned(t), v) for t in self.trials if (v := self._objective(t)) is not None]
        return next_point(
            self.ranges, history, maximize=self.maximize, seed=self.seed, tried=len(self.trials)
        )

    def _create_trial(self, point: dict[str, str]) -> Any:
        definition = self.tuning.training_job_definition
        name = (
            f"{self.tuning.hyper_parameter_tuning_job_name}-{len(self.trials) + 1:03d}-{uuid.uuid4().hex[:8]}"
        )
        algorithm = dict(definition["AlgorithmSpecification"])
        trial = self.backend.create_training_job(
            training_job_name=name,
            hyper_parameters={**(definition.get("StaticHyperParameters") or {}), **point},
            algorithm_specification=algorithm,
            role_arn=definition["RoleArn"],
            input_data_config=definition.get("InputDataConfig") or [],
            output_data_config=definition["OutputDataConfig"],
            resource_config=definition["ResourceConfig"],
            vpc_config=definition.get("VpcConfig"),
            stopping_condition=definition["StoppingCondition"],
            tags=[],
            enable_network_isolation=definition.get("EnableNetworkIsolation", False),
            enable_inter_container_traffic_encryption=False,
            enable_managed_spot_training=definition.get("EnableManagedSpotTraining", False),
            checkpoint_config=definition.get("CheckpointConfig"),
            debug_hook_config=None,
            debug_rule_configurations=None,
            tensor_board_output_config=None,
            experiment_config=None,
        )
        trial.tuning_job_arn = self.tuning.arn
        trial.tuned_hyper_parameters = point
        self.trials.append(trial)
        return trial

    def _tuned(self, trial: Any) -> dict[str, str]:
        return dict(trial.tuned_hyper_parameters)

    def _objective(self, trial: Any) -> float | None:
        if trial.training_job_status != "Completed":
            return None
        values = [m["Value"] for m in trial.final_metric_data_list if m["MetricName"] == self.metric]
        return float(values[-1]) if values else None

    def summary(self, trial: Any) -> dict[str, Any]:
        """One ``HyperParameterTrainingJobSummary``."""
        value = self._objective(trial)
        status = trial.training_job_status
        found: dict[str, Any] = {
            "TrainingJobName": trial.training_job_name,
            "TrainingJobArn": trial.arn,
            "TuningJobName": self.tuning.hyper_parameter_tuning_job_name,
            "CreationTime": trial.creation_time,
            "TrainingJobStatus": status,
            "TunedHyperParameters": self._tuned(trial),
            "ObjectiveStatus": "Succeeded"
            if value is not None
            else ("Pending" if status in RUNNING else "Failed"),
        }
        if trial.training_start_time:
            found["TrainingStartTime"] = trial.training_start_time
        if trial.training_end_time and status not in RUNNING:
            found["TrainingEndTime"] = trial.training_end_time
        if getattr(trial, "failure_reason", ""):
            found["FailureReason"] = trial.failure_reason
        if value is not None:
            found["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": "Maximize" if self.maximize else "Minimize",
                "MetricName": self.metric,
                "Value": value,
            }
        return found

    def _publish(self) -> None:
        statuses = [t.training_job_status for t in self.trials]
        self.tuning.training_job_status_counters = {
            "Completed": statuses.count("Completed"),
            "InProgress": sum(s in RUNNING for s in statuses),
            "RetryableError": 0,
            "NonRetryableError": statuses.count("Failed"),
            "Stopped": statuses.count("Stopped"),
        }
        objectives = [self._objective(t) for t in self.trials]
        self.tuning.objective_status_counters = {
            "Succeeded": sum(v is not None for v in objectives),
            "Pending": sum(s in RUNNING for s in statuses),
            "Failed": sum(v is None and s not in RUNNING for v, s in zip(objectives, statuses, strict=True)),
        }
        scored = [(v, t) for v, t in zip(objectives, self.trials, strict=True) if v is not None]
        if scored:
            best = (max if self.maximize else min)(scored, key=lambda pair: pair[0])[1]
            self.tuning.best_training_job = self.summary(best)
            self.tuning.OverallBestTrainingJob = self.tuning.best_training_job
        self.tuning.consumed_resources = {"RuntimeInSeconds": int(time.monotonic() - self.started)}
        self.tuning.last_modified_time = datetime.now(timezone.utc)

    def _finish(self, *, stopped: bool) -> None:
        self._publish()
        now = datetime.now(timezone.utc)
        if stopped:
            status = "Stopped"
        elif self.tuning.best_training_job is not None:
            status = "Completed"
        else:
            status = "Failed"
            self.tuning.failure_reason = (
                f"No training job reported the objective metric {self.metric!r}; see their FailureReason"
            )
        self.tuning.hyper_parameter_tuning_end_time = now
        self.tuning.hyper_parameter_tuning_job_status = status
