"""Azure ML models as Microsoft's docs register them: custom and MLflow, from local files or a job output."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def ml_client(azure_env: dict[str, str]) -> Any:
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential

    return MLClient(DefaultAzureCredential(), SUBSCRIPTION, "rg", "ws")


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path / "model"
    folder.mkdir()
    model = LogisticRegression().fit([[0.0, 0.0], [1.0, 1.0], [0.1, 0.0], [0.9, 1.0]], [0, 1, 0, 1])
    (folder / "model.pkl").write_bytes(pickle.dumps(model))
    return folder


def test_a_custom_model_is_registered_versioned_listed_and_archived(
    ml_client: Any, model_folder: Path, blob_service: Any
) -> None:
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Model

    first = ml_client.models.create_or_update(
        Model(path=str(model_folder), type=AssetTypes.CUSTOM_MODEL, name="iris-clf", description="v1")
    )
    assert (first.name, first.version, first.type) == ("iris-clf", "1", "custom_model")
    second = ml_client.models.create_or_update(Model(path=str(model_folder), name="iris-clf", version="2"))
    assert second.version == "2"
    assert ml_client.models.get("iris-clf", version="1").description == "v1"
    assert sorted(m.version for m in ml_client.models.list(name="iris-clf")) == ["1", "2"]
    assert "iris-clf" in [m.name for m in ml_client.models.list()]
    # the files are in the workspace's blob store (Azurite), where the model's path points
    path = ml_client.models.get("iris-clf", version="2").path
    assert "/paths/" in path and path.rstrip("/").endswith("model")
    blob_prefix = path.split("/paths/", 1)[1]
    names = [
        b.name
        for c in blob_service.list_containers()
        for b in blob_service.get_container_client(c.name).list_blobs(name_starts_with=blob_prefix)
    ]
    assert any(name.endswith("model.pkl") for name in names)

    ml_client.models.archive("iris-clf", version="1")
    assert [m.version for m in ml_client.models.list(name="iris-clf")] == ["2"]
    assert ml_client.models.get("iris-clf", version="1").properties is not None


def test_an_unknown_model_version_is_resource_not_found(ml_client: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError, match="no-such-model"):
        ml_client.models.get("no-such-model", version="1")


def test_an_mlflow_model_needs_its_mlmodel_file(ml_client: Any, model_folder: Path, tmp_path: Path) -> None:
    import mlflow.sklearn
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import Model
    from azure.core.exceptions import HttpResponseError
    from sklearn.linear_model import LinearRegression

    with pytest.raises(HttpResponseError, match="MLmodel"):
        ml_client.models.create_or_update(
            Model(path=str(model_folder), type=AssetTypes.MLFLOW_MODEL, name="bad")
        )
    mlflow.sklearn.save_model(
        LinearRegression().fit([[0.0], [1.0]], [0.0, 2.0]),
        str(tmp_path / "mlflow-model"),
        pip_requirements=["scikit-learn"],  # stated: inferring them costs a subprocess
    )
    model = ml_client.models.create_or_update(
        Model(path=str(tmp_path / "mlflow-model"), type=AssetTypes.MLFLOW_MODEL, name="regressor")
    )
    assert model.type == "mlflow_model"
    assert "sklearn" in model.flavors


def test_a_model_registered_from_a_job_output(ml_client: Any, tmp_path: Path) -> None:
    from azure.ai.ml import command
    from azure.ai.ml.constants import AssetTypes
    from azure.ai.ml.entities import AmlCompute, Model

    ml_client.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", max_instances=1)).result()
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(
        "import os, pickle\nfrom sklearn.tree import DecisionTreeClassifier\n"
        "m = DecisionTreeClassifier().fit([[0], [1]], [0, 1])\n"
        "os.makedirs('outputs/model', exist_ok=True)\n"
        "pickle.dump(m, open('outputs/model/model.pkl', 'wb'))\n"
    )
    job = ml_client.jobs.create_or_update(
        command(
            code=str(src),
            command="python train.py",
            environment="AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
            compute="cpu-cluster",
        )
    )
    ml_client.jobs.stream(job.name)
    model = ml_client.models.create_or_update(
        Model(
            path=f"azureml://jobs/{job.name}/outputs/artifacts/paths/outputs/model/",
            name="from-job",
            type=AssetTypes.CUSTOM_MODEL,
        )
    )
    assert model.path.startswith(f"azureml://jobs/{job.name}/outputs/artifacts")
    assert model.version == "1"
