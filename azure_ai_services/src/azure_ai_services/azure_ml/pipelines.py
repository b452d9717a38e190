"""Hyperparameter sweeps and two-step pipelines over command jobs, with the best trial picked for you.

``sweep`` repeats a training command over a search space (``Choice``/``Uniform``) and returns the best
trial by the metric the script logs with MLflow; ``prep_then_train`` chains two command components with
``@dsl.pipeline``, the first's ``uri_folder`` output feeding the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure_ai_services.azure_ml.training import SKLEARN_ENVIRONMENT, AzureMLTrainer, JobState

if TYPE_CHECKING:  # pragma: no cover
    from azure.ai.ml import MLClient


@dataclass(frozen=True)
class SweepResult:
    """The sweep's final state, its best trial (a child job) and that trial's primary metric."""

    state: JobState
    best_trial: str
    score: float | None


class AzureMLPipelines:
    """Sweeps and pipelines of one workspace."""

    def __init__(self, ml_client: MLClient | None = None) -> None:
        self._trainer = AzureMLTrainer(ml_client)

    @property
    def client(self) -> MLClient:
        return self._trainer.client

    def sweep(
        self,
        source_dir: str | Path,
        command: str,
        search_space: Mapping[str, Any],
        *,
        primary_metric: str,
        goal: str = "Maximize",
        sampling: str = "random",
        max_trials: int = 4,
        max_concurrent: int = 2,
        fixed_inputs: Mapping[str, Any] | None = None,
        compute: str = "cpu-cluster",
        timeout: float = 900,
    ) -> SweepResult:
        """Run the sweep and wait: ``search_space`` maps input names to ``Choice``/``Uniform`` objects."""
        from azure.ai.ml import command as command_job

        defaults = {name: 0.0 for name in search_space}
        job = command_job(
            code=str(source_dir),
            command=command,
            inputs={**defaults, **(fixed_inputs or {})},
            environment=SKLEARN_ENVIRONMENT,
            compute=compute,
        )
        sweep_job = job(**search_space).sweep(
            compute=compute, sampling_algorithm=sampling, primary_metric=primary_metric, goal=goal
        )
        sweep_job.set_limits(max_total_trials=max_trials, max_concurrent_trials=max_concurrent)
        name = str(self.client.jobs.create_or_update(sweep_job).name)
        state = self._trainer.wait(name, timeout=timeout)
        properties = self.client.jobs.get(name).properties
        score = properties.get("score")
        return SweepResult(
            state, str(properties.get("best_child_run_id", "")), float(score) if score else None
        )

    def trials(self, sweep_name: str) -> list[Any]:
        """The sweep's child jobs (one per trial)."""
        return list(self.client.jobs.list(parent_job_name=sweep_name))

    def prep_then_train(
        self,
        source_dir: str | Path,
        raw_data: str | Path,
        *,
        prep_command: str = "python prep.py --raw ${{inputs.raw}} --clean ${{outputs.clean}}",
        train_command: str = "python train.py --data ${{inputs.data}} --model ${{outputs.model}}",
        compute: str = "cpu-cluster",
        timeout: float = 900,
    ) -> JobState:
        """A two-step ``@dsl.pipeline``: prep's ``clean`` folder is train's ``data``; waits for it."""
        from azure.ai.ml import Input, Output, command, dsl

        prep: Any = command(
            name="prep",
            code=str(source_dir),
            command=prep_command,
            inputs={"raw": Input(type="uri_file")},
            outputs={"clean": Output(type="uri_folder")},
            environment=SKLEARN_ENVIRONMENT,
        )
        train: Any = command(
            name="train",
            code=str(source_dir),
            command=train_command,
            inputs={"data": Input(type="uri_folder")},
            outputs={"model": Output(type="uri_folder")},
            environment=SKLEARN_ENVIRONMENT,
        )

        @dsl.pipeline(compute=compute, description="prep then train")  # type: ignore[call-overload]
        def prep_and_train(raw):  # type: ignore[no-untyped-def]
            cleaned = prep(raw=raw)
            trained = train(data=cleaned.outputs.clean)
            return {"model": trained.outputs.model}

        pipeline_job = prep_and_train(raw=Input(type="uri_file", path=str(raw_data)))
        name = str(self.client.jobs.create_or_update(pipeline_job).name)
        return self._trainer.wait(name, timeout=timeout)
