"""MLflow in Databricks jobs over the wire: a task trains and logs, runs compare, a model registers."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("fast_databricks_polls")

EXPERIMENT = "/Shared/diabetes-tests"


@pytest.fixture
def jobs(azure_env: dict[str, str]) -> Any:
    from azure_ai_services.databricks.workspace_jobs import DatabricksJobs

    return DatabricksJobs()


@pytest.fixture
def tracking(azure_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import mlflow
    from azure_ai_services.databricks.mlflow_models import use_workspace_tracking

    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    previous = mlflow.get_tracking_uri()
    uri = use_workspace_tracking()
    yield uri
    mlflow.set_tracking_uri(previous)


def test_task_logs_to_workspace_mlflow_and_model_registers_and_loads(jobs: Any, tracking: str) -> None:
    import mlflow
    import pandas as pd
    from azure_ai_services.databricks.mlflow_models import MlflowModels
    from sklearn.datasets import load_diabetes

    spec = importlib.util.find_spec("azure_ai_services.databricks.train_diabetes")
    assert spec is not None and spec.origin is not None
    script = Path(spec.origin)
    path = jobs.upload(script, "dbfs:/tests/train_diabetes.py")
    job_id = jobs.create_python_job("train", path, ["--experiment", EXPERIMENT])
    results = [jobs.run(job_id, ["--alpha", alpha, "--experiment", EXPERIMENT]) for alpha in ("0.01", "10")]
    assert [r.result_state for r in results] == ["SUCCESS", "SUCCESS"], results[0].error
    assert all("mlflow_run_id=" in r.logs for r in results)

    models = MlflowModels(EXPERIMENT)
    runs = models.runs("rmse")
    assert sorted(run.params["alpha"] for run in runs) == ["0.01", "10.0"]
    assert runs[0].metrics["rmse"] < runs[1].metrics["rmse"]  # the smaller penalty fits better here
    assert runs[0].params["alpha"] == "0.01"

    version = models.register_best("diabetes-ridge", "rmse")
    assert version == "1"
    model = models.load("diabetes-ridge", version)
    features = load_diabetes(as_frame=True).data.head(4)
    predictions = model.predict(pd.DataFrame(features))
    assert len(predictions) == 4
    assert mlflow.get_run(runs[0].run_id).info.status == "FINISHED"


def test_mlflow_errors_are_databricks_shaped(tracking: str) -> None:
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as err:
        MlflowClient().get_registered_model("no-such-model")
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"
