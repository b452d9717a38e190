"""Results of a hyperparameter tuning job: each trial (a real training job) and the best one by objective.

Read from ``DescribeHyperParameterTuningJob`` and ``ListTrainingJobsForHyperParameterTuningJob``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from multi_cloud.core.types import JobStatus

ObjectiveType = Literal["Maximize", "Minimize"]


@dataclass(frozen=True)
class TuningTrial:
    """One training job of the tuning job (``HyperParameterTrainingJobSummary``)."""

    training_job_name: str
    hyperparameters: Mapping[str, str]  # TunedHyperParameters
    status: JobStatus
    objective_value: float | None = None  # FinalHyperParameterTuningJobObjectiveMetric.Value
    failure_reason: str = ""
    seconds: float = 0.0

    @property
    def objective_status(self) -> str:
        """SageMaker's ObjectiveStatus: Succeeded when the objective metric was emitted."""
        if self.status == "InProgress":
            return "Pending"
        return "Succeeded" if self.objective_value is not None else "Failed"


@dataclass(frozen=True)
class TuningJob:
    name: str
    status: JobStatus
    provider: str
    strategy: str
    objective_metric: str
    objective_type: ObjectiveType
    trials: tuple[TuningTrial, ...] = ()
    wall_seconds: float = 0.0
    started: datetime | None = None
    ended: datetime | None = None
    failure_reason: str = ""
    status_counters: Mapping[str, int] = field(default_factory=dict)

    @property
    def best(self) -> TuningTrial | None:
        """The trial with the best objective value (ties: the earliest)."""
        scored = [t for t in self.trials if t.status == "Completed" and t.objective_value is not None]
        if not scored:
            return None
        sign = -1.0 if self.objective_type == "Maximize" else 1.0
        return min(scored, key=lambda t: sign * float(t.objective_value or 0.0))

    @property
    def best_training_job(self) -> str:
        best = self.best
        return best.training_job_name if best else ""
