"""Azure ML sweep jobs as Microsoft's docs write them: every trial really runs, the best one is picked."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SKLEARN_ENV = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
#: accuracy peaks at C = 1 whatever the data: the best trial is known in advance
TRAIN = """
import argparse, mlflow
parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float)
parser.add_argument("--offset", type=float, default=0.0)
args = parser.parse_args()
accuracy = 1.0 - abs(args.C - 1.0) / 10 + args.offset
mlflow.log_param("C", args.C)
mlflow.log_metric("accuracy", accuracy)
print("C", args.C, "accuracy", accuracy)
"""


@pytest.fixture
def ml_client(ml_client_with_cluster: Any) -> Any:
    return ml_client_with_cluster


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "train.py").write_text(TRAIN)
    return folder


def wait(ml_client: Any, name: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ml_client.jobs.get(name)
        if job.status in ("Completed", "Failed", "Canceled"):
            return job
        time.sleep(1)
    raise AssertionError(f"sweep {name} did not finish")


def base_job(src: Path) -> Any:
    from azure.ai.ml import command

    return command(
        code=str(src),
        command="python train.py --C ${{inputs.C}} --offset ${{inputs.offset}}",
        inputs={"C": 1.0, "offset": 0.0},
        environment=SKLEARN_ENV,
        compute="cpu-cluster",
    )


def test_a_grid_sweep_runs_every_trial_and_picks_the_best(ml_client: Any, src: Path) -> None:
    from azure.ai.ml.sweep import Choice

    job_for_sweep = base_job(src)(C=Choice([0.01, 1.0, 5.0]))
    sweep_job = job_for_sweep.sweep(
        compute="cpu-cluster", sampling_algorithm="grid", primary_metric="accuracy", goal="Maximize"
    )
    sweep_job.set_limits(max_total_trials=3, max_concurrent_trials=2, timeout=600)
    returned = ml_client.jobs.create_or_update(sweep_job)
    finished = wait(ml_client, returned.name)
    assert finished.status == "Completed", finished
    children = list(ml_client.jobs.list(parent_job_name=returned.name))
    assert len(children) == 3
    assert {child.status for child in children} == {"Completed"}
    best = finished.properties["best_child_run_id"]
    assert float(finished.properties["score"]) == pytest.approx(1.0)
    assert '"C": 1.0' in ml_client.jobs.get(best).tags["hyperparameters"]
    assert returned.name in [job.name for job in ml_client.jobs.list()]
    assert best not in [
        job.name for job in ml_client.jobs.list()
    ]  # trials are children, not listed at the top


def test_a_random_sweep_samples_uniform_values_within_bounds(ml_client: Any, src: Path) -> None:
    import json

    from azure.ai.ml.sweep import Uniform

    sweep_job = base_job(src)(C=Uniform(min_value=2.0, max_value=3.0)).sweep(
        sampling_algorithm="random", primary_metric="accuracy", goal="Minimize"
    )
    sweep_job.set_limits(max_total_trials=2, max_concurrent_trials=2)
    finished = wait(ml_client, ml_client.jobs.create_or_update(sweep_job).name)
    assert finished.status == "Completed"
    values = [
        json.loads(c.tags["hyperparameters"])["C"] for c in ml_client.jobs.list(parent_job_name=finished.name)
    ]
    assert len(values) == 2 and all(2.0 <= value <= 3.0 for value in values)
    worst = max(values, key=lambda c: abs(c - 1.0))
    assert float(finished.properties["score"]) == pytest.approx(1.0 - abs(worst - 1.0) / 10)


def test_grid_sampling_of_a_continuous_parameter_is_a_user_error(ml_client: Any, src: Path) -> None:
    from azure.ai.ml.sweep import Uniform
    from azure.core.exceptions import HttpResponseError

    sweep_job = base_job(src)(C=Uniform(min_value=0.1, max_value=2.0)).sweep(
        sampling_algorithm="grid", primary_metric="accuracy", goal="Maximize"
    )
    sweep_job.set_limits(max_total_trials=2)
    with pytest.raises(HttpResponseError, match="Grid sampling supports only choice") as raised:
        ml_client.jobs.create_or_update(sweep_job)
    assert raised.value.status_code == 400


def test_a_sweep_whose_trials_never_log_the_metric_fails(ml_client: Any, src: Path) -> None:
    from azure.ai.ml.sweep import Choice

    sweep_job = base_job(src)(C=Choice([0.5])).sweep(
        sampling_algorithm="random", primary_metric="f1_score", goal="Maximize"
    )
    sweep_job.set_limits(max_total_trials=1)
    finished = wait(ml_client, ml_client.jobs.create_or_update(sweep_job).name)
    assert finished.status == "Failed"


def test_the_pipelines_lesson_sweeps_and_names_the_best_trial(ml_client: Any, src: Path) -> None:
    from azure.ai.ml.sweep import Choice
    from azure_ai_services.azure_ml.pipelines import AzureMLPipelines

    lesson = AzureMLPipelines(ml_client)
    result = lesson.sweep(
        src,
        "python train.py --C ${{inputs.C}}",
        {"C": Choice([0.1, 1.0, 3.0])},
        primary_metric="accuracy",
        sampling="grid",
        max_trials=3,
    )
    assert result.state.succeeded
    assert result.score == pytest.approx(1.0)
    assert result.best_trial in [trial.name for trial in lesson.trials(result.state.name)]
