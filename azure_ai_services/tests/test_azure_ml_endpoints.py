"""Managed online endpoints as Microsoft's docs deploy them: scoring scripts really run, traffic splits."""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SKLEARN_ENV = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"

SCORE = """
import json, os, pickle

model = None

def init():
    global model
    path = os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "model.pkl")
    with open(path, "rb") as f:
        model = pickle.load(f)
    print("model loaded from", path)

def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return {"predictions": model.predict(rows).tolist(), "version": VERSION}
"""


@pytest.fixture
def ml_client(azure_env: dict[str, str]) -> Any:
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential

    return MLClient(DefaultAzureCredential(), SUBSCRIPTION, "rg", "ws")


@pytest.fixture
def model(ml_client: Any, tmp_path: Path) -> Any:
    from azure.ai.ml.entities import Model
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path / "model"
    folder.mkdir()
    classifier = LogisticRegression().fit([[0.0, 0.0], [1.0, 1.0], [0.1, 0.0], [0.9, 1.0]], [0, 1, 0, 1])
    (folder / "model.pkl").write_bytes(pickle.dumps(classifier))
    return ml_client.models.create_or_update(Model(path=str(folder), name="clf"))


def scoring_code(tmp_path: Path, version: str, init_body: str = "") -> Path:
    folder = tmp_path / f"score-{version}"
    folder.mkdir()
    script = textwrap.dedent(SCORE).replace("VERSION", repr(version))
    if init_body:
        script += f"\ndef init():\n    {init_body}\n"
    (folder / "score.py").write_text(script)
    return folder


def deployment(name: str, model: Any, code: Path) -> Any:
    from azure.ai.ml.entities import CodeConfiguration, ManagedOnlineDeployment

    return ManagedOnlineDeployment(
        name=name,
        endpoint_name="iris-ep",
        model=model,
        code_configuration=CodeConfiguration(code=str(code), scoring_script="score.py"),
        environment=SKLEARN_ENV,
        instance_type="Standard_DS3_v2",
        instance_count=1,
    )


@pytest.fixture
def endpoint(ml_client: Any) -> Any:
    from azure.ai.ml.entities import ManagedOnlineEndpoint

    return ml_client.online_endpoints.begin_create_or_update(
        ManagedOnlineEndpoint(name="iris-ep", auth_mode="key")
    ).result()


def test_blue_green_deployments_score_and_split_traffic(
    ml_client: Any, model: Any, endpoint: Any, tmp_path: Path
) -> None:
    import requests

    assert endpoint.provisioning_state == "Succeeded"
    ml_client.online_deployments.begin_create_or_update(
        deployment("blue", model, scoring_code(tmp_path, "blue"))
    ).result()
    ml_client.online_deployments.begin_create_or_update(
        deployment("green", model, scoring_code(tmp_path, "green"))
    ).result()
    endpoint = ml_client.online_endpoints.get("iris-ep")
    endpoint.traffic = {"blue": 90, "green": 10}
    ml_client.online_endpoints.begin_create_or_update(endpoint).result()
    assert ml_client.online_endpoints.get("iris-ep").traffic == {"blue": 90, "green": 10}

    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({"data": [[0.0, 0.1], [1.0, 0.9]]}))
    answer = json.loads(
        ml_client.online_endpoints.invoke("iris-ep", request_file=str(request_file), deployment_name="green")
    )
    assert answer == {"predictions": [0, 1], "version": "green"}

    scoring_uri = ml_client.online_endpoints.get("iris-ep").scoring_uri
    key = ml_client.online_endpoints.get_keys("iris-ep").primary_key
    seen = []
    for _ in range(40):
        response = requests.post(
            scoring_uri, json={"data": [[1.0, 1.0]]}, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        assert response.status_code == 200, response.text
        seen.append(response.json()["version"])
        assert response.headers["azureml-model-deployment"] == seen[-1]
    assert seen.count("blue") > seen.count("green") > 0 or seen.count("blue") >= 32

    wrong = requests.post(
        scoring_uri, json={"data": [[1.0, 1.0]]}, headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert wrong.status_code == 401

    logs = ml_client.online_deployments.get_logs(name="blue", endpoint_name="iris-ep", lines=20)
    assert "model loaded from" in logs


def test_keys_regenerate(ml_client: Any, endpoint: Any) -> None:
    before = ml_client.online_endpoints.get_keys("iris-ep")
    ml_client.online_endpoints.begin_regenerate_keys("iris-ep", key_type="secondary").result()
    after = ml_client.online_endpoints.get_keys("iris-ep")
    assert after.primary_key == before.primary_key
    assert after.secondary_key != before.secondary_key


def test_a_failing_init_fails_the_deployment_with_its_traceback(
    ml_client: Any, model: Any, endpoint: Any, tmp_path: Path
) -> None:
    from azure.core.exceptions import HttpResponseError

    code = scoring_code(tmp_path, "broken", init_body="raise RuntimeError('cannot find the model file')")
    with pytest.raises(HttpResponseError, match="cannot find the model file"):
        ml_client.online_deployments.begin_create_or_update(deployment("broken", model, code)).result()
    assert ml_client.online_deployments.get("broken", "iris-ep").provisioning_state == "Failed"
    logs = ml_client.online_deployments.get_logs(name="broken", endpoint_name="iris-ep", lines=50)
    assert "Traceback" in logs and "RuntimeError: cannot find the model file" in logs


def test_traffic_to_an_unknown_deployment_is_a_bad_request(ml_client: Any, endpoint: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    endpoint.traffic = {"purple": 100}
    with pytest.raises(HttpResponseError) as raised:
        ml_client.online_endpoints.begin_create_or_update(endpoint).result()
    assert raised.value.status_code == 400
    assert "purple" in str(raised.value)


def test_an_mlflow_model_is_served_without_a_script(ml_client: Any, endpoint: Any, tmp_path: Path) -> None:
    import mlflow.sklearn
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import ManagedOnlineDeployment, Model
    from sklearn.linear_model import LinearRegression

    mlflow.sklearn.save_model(
        LinearRegression().fit([[0.0], [1.0]], [0.0, 2.0]),
        str(tmp_path / "reg"),
        pip_requirements=["scikit-learn"],  # stated: inferring them costs a subprocess
    )
    model = ml_client.models.create_or_update(
        Model(path=str(tmp_path / "reg"), type=AssetTypes.MLFLOW_MODEL, name="reg")
    )
    ml_client.online_deployments.begin_create_or_update(
        ManagedOnlineDeployment(
            name="mlflow",
            endpoint_name="iris-ep",
            model=model,
            instance_type="Standard_DS3_v2",
            instance_count=1,
        )
    ).result()
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({"input_data": {"columns": [0], "data": [[3.0]]}}))
    answer = json.loads(
        ml_client.online_endpoints.invoke("iris-ep", request_file=str(request_file), deployment_name="mlflow")
    )
    assert answer == [pytest.approx(6.0)]


def test_delete_tears_the_endpoint_down(ml_client: Any, model: Any, endpoint: Any, tmp_path: Path) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    ml_client.online_deployments.begin_create_or_update(
        deployment("blue", model, scoring_code(tmp_path, "blue"))
    ).result()
    scoring_uri = ml_client.online_endpoints.get("iris-ep").scoring_uri
    ml_client.online_endpoints.begin_delete(name="iris-ep").result()
    with pytest.raises(ResourceNotFoundError):
        ml_client.online_endpoints.get("iris-ep")
    assert "iris-ep" not in [e.name for e in ml_client.online_endpoints.list()]
    import requests

    assert requests.post(scoring_uri, json={}, timeout=30).status_code == 404


def test_the_deployer_lesson_collects_requests_and_measures_drift(
    ml_client: Any, model: Any, tmp_path: Path
) -> None:
    import random

    from azure_ai_services.azure_ml.deployment import AzureMLDeployer
    from azure_ai_services.azure_ml.monitoring import collected_rows, feature_drift

    deployer = AzureMLDeployer(ml_client)
    deployer.create_endpoint("iris-ep")
    deployer.deploy("iris-ep", "blue", model, code_dir=scoring_code(tmp_path, "blue"), collect_requests=True)
    assert deployer.set_traffic("iris-ep", {"blue": 100}) == {"blue": 100}
    rng = random.Random(7)
    training = [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(300)]
    shifted = [[rng.gauss(3, 1), rng.gauss(0, 1)] for _ in range(60)]
    for start in range(0, 60, 20):
        answer = deployer.invoke("iris-ep", {"data": shifted[start : start + 20]})
        assert len(answer["predictions"]) == 20
    logged = collected_rows(ml_client, "iris-ep", "blue")
    assert sorted(map(tuple, logged)) == sorted(map(tuple, shifted))
    drift = {d.feature: d for d in feature_drift(training, logged, names=["x1", "x2"])}
    assert drift["x1"].drifted and drift["x1"].psi > 1.0
    assert not drift["x2"].drifted
    assert "model loaded from" in deployer.logs("iris-ep", "blue")
    deployer.delete_endpoint("iris-ep")
    assert list(ml_client.online_endpoints.list()) == []


BATCH_SCORE = """
import os, pickle
import pandas as pd

def init():
    global model
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "model.pkl"), "rb") as f:
        model = pickle.load(f)

def run(mini_batch):
    rows = []
    for path in mini_batch:
        frame = pd.read_csv(path)
        for prediction in model.predict(frame.values):
            rows.append([os.path.basename(path), int(prediction)])
    return pd.DataFrame(rows)
"""


def test_a_batch_endpoint_scores_a_folder_into_azurite(ml_client: Any, model: Any, tmp_path: Path) -> None:
    from azure.ai.ml import Input
    from azure.ai.ml.entities import (
        AmlCompute,
        BatchEndpoint,
        CodeConfiguration,
        ModelBatchDeployment,
        ModelBatchDeploymentSettings,
    )

    ml_client.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", max_instances=1)).result()
    ml_client.batch_endpoints.begin_create_or_update(BatchEndpoint(name="iris-batch")).result()
    code = tmp_path / "batch-code"
    code.mkdir()
    (code / "batch_score.py").write_text(BATCH_SCORE)
    ml_client.batch_deployments.begin_create_or_update(
        ModelBatchDeployment(
            name="classifier",
            endpoint_name="iris-batch",
            model=model,
            code_configuration=CodeConfiguration(code=str(code), scoring_script="batch_score.py"),
            environment=SKLEARN_ENV,
            compute="cpu-cluster",
            settings=ModelBatchDeploymentSettings(mini_batch_size=1, output_file_name="predictions.csv"),
        )
    ).result()
    data = tmp_path / "to-score"
    data.mkdir()
    (data / "a.csv").write_text("x1,x2\n0.0,0.0\n1.0,1.0\n")
    (data / "b.csv").write_text("x1,x2\n0.9,1.0\n")
    job = ml_client.batch_endpoints.invoke(
        endpoint_name="iris-batch", input=Input(type="uri_folder", path=str(data))
    )
    ml_client.jobs.stream(job.name)
    assert ml_client.jobs.get(job.name).status == "Completed"
    ml_client.jobs.download(name=job.name, download_path=str(tmp_path / "out"), output_name="score")
    lines = (tmp_path / "out" / "predictions.csv").read_text().splitlines()
    assert sorted(lines) == ["a.csv 0", "a.csv 1", "b.csv 1"]
    assert [child.display_name for child in ml_client.jobs.list(parent_job_name=job.name)] == ["batchscoring"]


def test_a_batch_deployment_needs_an_existing_cluster(ml_client: Any, model: Any, tmp_path: Path) -> None:
    from azure.ai.ml.entities import BatchEndpoint, ModelBatchDeployment
    from azure.core.exceptions import HttpResponseError

    ml_client.batch_endpoints.begin_create_or_update(BatchEndpoint(name="no-cluster")).result()
    with pytest.raises(HttpResponseError, match="no-such-cluster") as raised:
        ml_client.batch_deployments.begin_create_or_update(
            ModelBatchDeployment(name="d", endpoint_name="no-cluster", model=model, compute="no-such-cluster")
        ).result()
    assert raised.value.status_code == 400
