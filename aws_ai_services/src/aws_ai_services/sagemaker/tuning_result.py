"""Results of a hyperparameter tuning job: each trial (a real training job) and the best one by objective.

Stored as JSON beside the job's code in S3 (``<tuning job>/tuning/cloudai-tuning-state.json``) because
moto records ``CreateHyperParameterTuningJob`` but answers ``DescribeHyperParameterTuningJob`` with a
canned ``BestTrainingJob`` and has no ``ListTrainingJobsForHyperParameterTuningJob``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from multi_cloud.core.types import JobStatus

ObjectiveType = Literal["Maximize", "Minimize"]
STATE_FILENAME = "cloudai-tuning-state.json"


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

    def to_json(self) -> str:
        data = asdict(self)
        data["started"] = self.started.isoformat() if self.started else None
        data["ended"] = self.ended.isoformat() if self.ended else None
        return json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> TuningJob:
        data: dict[str, Any] = json.loads(text)
        data["trials"] = tuple(TuningTrial(**trial) for trial in data.get("trials", []))
        for moment in ("started", "ended"):
            data[moment] = datetime.fromisoformat(data[moment]) if data.get(moment) else None
        return cls(**data)


def status_counters(trials: tuple[TuningTrial, ...]) -> dict[str, int]:
    """SageMaker's ``TrainingJobStatusCounters`` for the trials."""
    counters = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    for trial in trials:
        key = {"Failed": "NonRetryableError"}.get(trial.status, trial.status)
        counters[key] = counters.get(key, 0) + 1
    return counters
