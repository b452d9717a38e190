"""Azure ML pipeline jobs as Microsoft's docs build them: command components run in order, outputs flow."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SKLEARN_ENV = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
PREP = """
import argparse, os
import pandas as pd
parser = argparse.ArgumentParser()
parser.add_argument("--raw")
parser.add_argument("--clean")
args = parser.parse_args()
frame = pd.read_csv(args.raw).dropna()
frame.to_csv(os.path.join(args.clean, "clean.csv"), index=False)
print("rows kept:", len(frame))
"""
TRAIN = """
import argparse, os, pickle
import mlflow
import pandas as pd
from sklearn.linear_model import LogisticRegression
parser = argparse.ArgumentParser()
parser.add_argument("--data")
parser.add_argument("--C", type=float)
parser.add_argument("--model")
args = parser.parse_args()
frame = pd.read_csv(os.path.join(args.data, "clean.csv"))
model = LogisticRegression(C=args.C).fit(frame[["x"]], frame["y"])
mlflow.log_metric("rows", len(frame))
pickle.dump(model, open(os.path.join(args.model, "model.pkl"), "wb"))
"""


@pytest.fixture
def ml_client(ml_client_with_cluster: Any) -> Any:
    return ml_client_with_cluster


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "prep.py").write_text(PREP)
    (folder / "train.py").write_text(TRAIN)
    (folder / "fail.py").write_text("import sys\nsys.exit('no data')\n")
    return folder


@pytest.fixture
def raw_csv(tmp_path: Path) -> Path:
    path = tmp_path / "raw.csv"
    path.write_text("x,y\n0.0,0\n0.1,0\n,1\n0.9,1\n1.0,1\n")
    return path


def wait(ml_client: Any, name: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ml_client.jobs.get(name)
        if job.status in ("Completed", "Failed", "Canceled"):
            return job
        time.sleep(1)
    raise AssertionError(f"pipeline {name} did not finish")


def components(src: Path) -> tuple[Any, Any]:
    from azure.ai.ml import Input, Output, command

    prep = command(
        name="prep",
        code=str(src),
        command="python prep.py --raw ${{inputs.raw}} --clean ${{outputs.clean}}",
        inputs={"raw": Input(type="uri_file")},
        outputs={"clean": Output(type="uri_folder")},
        environment=SKLEARN_ENV,
    )
    train = command(
        name="train",
        code=str(src),
        command="python train.py --data ${{inputs.data}} --C ${{inputs.C}} --model ${{outputs.model}}",
        inputs={"data": Input(type="uri_folder"), "C": Input(type="number", default=1.0)},
        outputs={"model": Output(type="uri_folder")},
        environment=SKLEARN_ENV,
    )
    return prep, train


def test_a_dsl_pipeline_runs_its_steps_in_order_and_passes_outputs(
    ml_client: Any, src: Path, raw_csv: Path, tmp_path: Path
) -> None:
    from azure.ai.ml import Input, dsl

    prep, train = components(src)

    @dsl.pipeline(compute="cpu-cluster", description="prep then train")  # type: ignore[call-overload]
    def prep_and_train(raw, C=0.5):  # type: ignore[no-untyped-def]  # noqa: N803 - the SDK reads the names
        cleaned = prep(raw=raw)
        trained = train(data=cleaned.outputs.clean, C=C)
        return {"model": trained.outputs.model}

    pipeline_job = prep_and_train(raw=Input(type="uri_file", path=str(raw_csv)))
    returned = ml_client.jobs.create_or_update(pipeline_job, experiment_name="pipelines")
    finished = wait(ml_client, returned.name)
    assert finished.status == "Completed", finished
    steps = {child.display_name: child for child in ml_client.jobs.list(parent_job_name=returned.name)}
    assert set(steps) == {"cleaned", "trained"}
    assert {child.status for child in steps.values()} == {"Completed"}
    ml_client.jobs.download(returned.name, download_path=str(tmp_path / "out"), output_name="model")
    assert list((tmp_path / "out").rglob("model.pkl"))


def test_a_failing_step_fails_the_pipeline_and_skips_the_rest(
    ml_client: Any, src: Path, raw_csv: Path
) -> None:
    from azure.ai.ml import Input, Output, command, dsl

    _, train = components(src)
    broken: Any = command(
        name="broken",
        code=str(src),
        command="python fail.py ${{inputs.raw}} ${{outputs.clean}}",
        inputs={"raw": Input(type="uri_file")},
        outputs={"clean": Output(type="uri_folder")},
        environment=SKLEARN_ENV,
    )

    @dsl.pipeline(compute="cpu-cluster")  # type: ignore[call-overload]
    def broken_pipeline(raw):  # type: ignore[no-untyped-def]
        cleaned = broken(raw=raw)
        train(data=cleaned.outputs.clean)

    returned = ml_client.jobs.create_or_update(broken_pipeline(raw=Input(type="uri_file", path=str(raw_csv))))
    finished = wait(ml_client, returned.name)
    assert finished.status == "Failed"
    steps = {child.display_name: child.status for child in ml_client.jobs.list(parent_job_name=returned.name)}
    assert steps == {"cleaned": "Failed"}


def test_the_pipelines_lesson_chains_prep_and_train(ml_client: Any, src: Path, raw_csv: Path) -> None:
    from azure_ai_services.azure_ml.pipelines import AzureMLPipelines

    state = AzureMLPipelines(ml_client).prep_then_train(
        src,
        raw_csv,
        train_command="python train.py --data ${{inputs.data}} --C 1.0 --model ${{outputs.model}}",
    )
    assert state.succeeded, state
