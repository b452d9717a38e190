"""Azure ML command jobs as Microsoft's docs write them: the code really runs, outputs land in Azurite."""

from __future__ import annotations

import pickle
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SKLEARN_ENV = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"

TRAIN = """
import argparse, os, pickle
import pandas as pd
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--data")
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--model_dir")
args = parser.parse_args()

frame = pd.read_csv(args.data)
features, labels = frame[["x1", "x2"]], frame["y"]
model = LogisticRegression(C=args.C).fit(features, labels)
print(f"accuracy: {model.score(features, labels):.3f}")
print("run id:", os.environ["AZUREML_RUN_ID"])
with open(os.path.join(args.model_dir, "model.pkl"), "wb") as f:
    pickle.dump(model, f)
os.makedirs("outputs", exist_ok=True)
open("outputs/notes.txt", "w").write("trained")
"""


@pytest.fixture
def ml_client(azure_env: dict[str, str]) -> Any:
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import AmlCompute
    from azure.identity import DefaultAzureCredential

    ml_client = MLClient(DefaultAzureCredential(), SUBSCRIPTION, "rg", "ws")
    ml_client.compute.begin_create_or_update(
        AmlCompute(name="cpu-cluster", size="STANDARD_DS3_V2", min_instances=0, max_instances=2)
    ).result()
    return ml_client


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "train.py").write_text(textwrap.dedent(TRAIN))
    (folder / "fail.py").write_text(
        "import sys\nprint('about to fail')\nsys.exit('bad hyperparameter: C=-1')\n"
    )
    (folder / "sleep.py").write_text("import time\nprint('sleeping', flush=True)\ntime.sleep(60)\n")
    return folder


@pytest.fixture
def data_csv(tmp_path: Path) -> Path:
    rows = ["x1,x2,y"] + [f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}" for i in range(60)]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _wait(ml_client: Any, name: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ml_client.jobs.get(name)
        if job.status in ("Completed", "Failed", "Canceled"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {name} did not finish in {timeout} s")


def test_a_sklearn_command_job_trains_streams_and_downloads(
    ml_client: Any, src: Path, data_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azure.ai.ml import Input, Output, command

    job = command(
        code=str(src),
        command="python train.py --data ${{inputs.data}} --C ${{inputs.C}} --model_dir ${{outputs.model}}",
        inputs={"data": Input(type="uri_file", path=str(data_csv)), "C": 0.5},
        outputs={"model": Output(type="uri_folder")},
        environment=SKLEARN_ENV,
        compute="cpu-cluster",
        experiment_name="local-sklearn",
    )
    started = time.monotonic()
    returned = ml_client.jobs.create_or_update(job)
    assert returned.status in ("NotStarted", "Queued", "Running")
    ml_client.jobs.stream(returned.name)
    seconds = time.monotonic() - started
    # the SDK prints the log only while the job runs: a job that finished first shows just the summary
    streamed = capsys.readouterr().out
    assert f"RunId: {returned.name}" in streamed and "Execution Summary" in streamed

    finished = ml_client.jobs.get(returned.name)
    assert finished.status == "Completed", seconds
    assert finished.experiment_name == "local-sklearn"
    ml_client.jobs.download(returned.name, download_path=str(tmp_path / "dl"), all=True)
    model = pickle.loads((tmp_path / "dl" / "named-outputs" / "model" / "model.pkl").read_bytes())  # noqa: S301
    import pandas as pd

    assert list(model.predict(pd.DataFrame({"x1": [6, 0], "x2": [0, 0]}))) == [1, 0]
    logs = (tmp_path / "dl" / "artifacts" / "user_logs" / "std_log.txt").read_text()
    assert f"run id: {returned.name}" in logs
    assert "accuracy:" in logs
    assert (tmp_path / "dl" / "artifacts" / "outputs" / "notes.txt").read_text() == "trained"
    assert returned.name in [j.name for j in ml_client.jobs.list()]


def test_a_registry_environment_is_accepted(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command

    job = command(
        code=str(src),
        command="echo hello from $AZUREML_RUN_ID",
        environment="azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
        compute="cpu-cluster",
    )
    name = ml_client.jobs.create_or_update(job).name
    assert _wait(ml_client, name).status == "Completed"


def test_a_failing_script_fails_the_job_with_its_error(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command
    from azure.ai.ml.exceptions import JobException

    job = command(code=str(src), command="python fail.py", environment=SKLEARN_ENV, compute="cpu-cluster")
    name = ml_client.jobs.create_or_update(job).name
    with pytest.raises(JobException, match="bad hyperparameter"):
        ml_client.jobs.stream(name)
    assert ml_client.jobs.get(name).status == "Failed"


def test_begin_cancel_stops_a_running_job(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command

    job = command(code=str(src), command="python sleep.py", environment=SKLEARN_ENV, compute="cpu-cluster")
    name = ml_client.jobs.create_or_update(job).name
    ml_client.jobs.begin_cancel(name).result()
    assert _wait(ml_client, name, timeout=20).status == "Canceled"


def test_an_unknown_compute_is_a_user_error(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command
    from azure.core.exceptions import HttpResponseError

    job = command(
        code=str(src), command="python train.py", environment=SKLEARN_ENV, compute="no-such-cluster"
    )
    with pytest.raises(HttpResponseError) as caught:
        ml_client.jobs.create_or_update(job)
    assert caught.value.status_code == 400
    assert caught.value.error.code == "UserError"
    assert "no-such-cluster" in caught.value.message


def test_an_unknown_environment_is_a_user_error(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command
    from azure.core.exceptions import HttpResponseError

    job = command(
        code=str(src), command="python train.py", environment="my-private-env@latest", compute="cpu-cluster"
    )
    with pytest.raises(HttpResponseError) as caught:
        ml_client.jobs.create_or_update(job)
    assert caught.value.error.code == "UserError"


def test_a_registered_data_asset_is_a_job_input(ml_client: Any, src: Path, data_csv: Path) -> None:
    from azure.ai.ml import Input, command
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Data

    data = ml_client.data.create_or_update(
        Data(name="toy-table", version="1", type=AssetTypes.URI_FILE, path=str(data_csv))
    )
    assert ml_client.data.get("toy-table", version="1").path == data.path
    job = command(
        code=str(src),
        command="head -3 ${{inputs.table}}",
        inputs={"table": Input(type=AssetTypes.URI_FILE, path="azureml:toy-table:1")},
        environment=SKLEARN_ENV,
        compute="cpu-cluster",
    )
    name = ml_client.jobs.create_or_update(job).name
    assert _wait(ml_client, name).status == "Completed"


def test_a_command_job_round_trip_is_quick(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command

    job = command(code=str(src), command="echo done", environment=SKLEARN_ENV, compute="cpu-cluster")
    started = time.monotonic()
    name = ml_client.jobs.create_or_update(job).name
    assert _wait(ml_client, name).status == "Completed"
    seconds = time.monotonic() - started
    print(f"command job round trip: {seconds:.2f} s")
    assert seconds < 20


def test_mlflow_metrics_logged_by_the_job_are_read_back(ml_client: Any, src: Path) -> None:
    from azure.ai.ml import command
    from mlflow.tracking import MlflowClient

    (src / "metrics.py").write_text(
        "import mlflow\nmlflow.log_param('C', 0.5)\nfor step in range(3):\n"
        "    mlflow.log_metric('loss', 1.0 / (step + 1), step=step)\nmlflow.log_metric('accuracy', 0.75)\n"
    )
    job = command(code=str(src), command="python metrics.py", environment=SKLEARN_ENV, compute="cpu-cluster")
    name = ml_client.jobs.create_or_update(job).name
    assert _wait(ml_client, name).status == "Completed", ml_client.jobs.get(name)

    tracking = MlflowClient(tracking_uri=ml_client.workspaces.get("ws").mlflow_tracking_uri)
    run = tracking.get_run(name)
    assert run.data.metrics == {"loss": pytest.approx(1 / 3), "accuracy": 0.75}
    assert run.data.params == {"C": "0.5"}
    assert run.info.status == "FINISHED"


def test_a_command_naming_a_missing_input_fails_the_job(azure_env: dict[str, str]) -> None:
    import requests

    url = (
        azure_env["CLOUDAI_AZURE_ENDPOINT"] + "/subscriptions/s/resourceGroups/rg/providers/"
        "Microsoft.MachineLearningServices/workspaces/ws/jobs/unbound?api-version=2024-10-01"
    )
    body = {
        "properties": {"jobType": "Command", "command": "echo ${{inputs.C}}", "environmentId": SKLEARN_ENV}
    }
    assert requests.put(url, json=body, timeout=10).status_code == 201
    deadline = time.monotonic() + 30
    while (job := requests.get(url, timeout=10).json())["properties"]["status"] not in (
        "Failed",
        "Completed",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job["properties"]["status"] == "Failed"
    assert "inputs.C" in job["properties"]["error"]["message"]


def test_the_log_is_readable_while_the_job_runs(ml_client: Any, src: Path) -> None:
    import requests
    from azure.ai.ml import command

    command_job = command(
        code=str(src), command="python sleep.py", environment=SKLEARN_ENV, compute="cpu-cluster"
    )
    job = ml_client.jobs.create_or_update(command_job)
    details = ml_client.jobs._runs_operations  # noqa: SLF001 - run history, what jobs.stream polls
    deadline = time.monotonic() + 20
    text = ""
    while "sleeping" not in text:
        assert time.monotonic() < deadline, text
        time.sleep(0.3)
        log_files = details.get_run_details(job.name).log_files or {}
        if "user_logs/std_log.txt" in log_files:
            text = requests.get(log_files["user_logs/std_log.txt"], timeout=10).text
    assert ml_client.jobs.get(job.name).status == "Running"
    ml_client.jobs.begin_cancel(job.name).result()
