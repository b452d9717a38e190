"""Vertex AI models and endpoints through plain ``google-cloud-aiplatform``, with Google's error codes.

Upload, versions, aliases, deploy with a traffic split, predict computed by the model itself.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import joblib
import pytest
import requests
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from .conftest import status_of

SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
BUCKET = "vertex-models"
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


@pytest.fixture
def artifacts(clean_google: Any, tmp_path: Path) -> dict[str, str]:
    """Two iris models saved as the prebuilt sklearn image expects (``model.joblib``) in Cloud Storage."""
    bucket = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).create_bucket(BUCKET)
    X, y = load_iris(return_X_y=True)
    uris = {}
    for name, model in (("logistic", LogisticRegression(max_iter=300)), ("tree", DecisionTreeClassifier())):
        joblib.dump(model.fit(X, y), tmp_path / f"{name}.joblib")
        bucket.blob(f"{name}/model.joblib").upload_from_filename(str(tmp_path / f"{name}.joblib"))
        uris[name] = f"gs://{BUCKET}/{name}/"
    aiplatform.init(
        project="cloudai-local",
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
    )
    return uris


def upload(uri: str, **kwargs: Any) -> aiplatform.Model:
    return aiplatform.Model.upload(
        display_name="iris", artifact_uri=uri, serving_container_image_uri=SERVE_IMAGE, **kwargs
    )


def test_versions_and_aliases(artifacts: dict[str, str]) -> None:
    first = upload(artifacts["logistic"])
    second = upload(artifacts["tree"], parent_model=first.resource_name, version_aliases=["challenger"])
    newest_default = upload(artifacts["tree"], parent_model=first.resource_name, is_default_version=True)

    assert (first.version_id, second.version_id, newest_default.version_id) == ("1", "2", "3")
    assert aiplatform.Model(first.resource_name, version="challenger").version_id == "2"
    assert aiplatform.Model(first.resource_name).version_id == "3"
    assert "default" in aiplatform.Model(f"{first.resource_name}@3").version_aliases
    registry = aiplatform.models.ModelRegistry(first.resource_name)
    registry.add_version_aliases(["champion"], version="1")
    registry.remove_version_aliases(["challenger"], version="2")
    assert aiplatform.Model(first.resource_name, version="champion").version_id == "1"
    assert aiplatform.Model(f"{first.resource_name}@2").version_aliases == []
    versions = registry.list_versions()
    assert sorted(v.version_id for v in versions) == ["1", "2", "3"]
    assert [m.resource_name for m in aiplatform.Model.list()] == [first.resource_name]


def test_deploy_predict_split_and_undeploy(artifacts: dict[str, str]) -> None:
    logistic, tree = upload(artifacts["logistic"]), upload(artifacts["tree"])
    endpoint = aiplatform.Endpoint.create(display_name="iris-endpoint")
    logistic.deploy(endpoint=endpoint, machine_type="n1-standard-2")
    assert endpoint.predict(instances=ROWS).predictions == [0, 2]

    tree.deploy(endpoint=endpoint, machine_type="n1-standard-2", traffic_percentage=30)
    split = endpoint.traffic_split
    tree_id = next(d.id for d in endpoint.list_models() if d.model == tree.resource_name)
    assert split[tree_id] == 30 and sum(split.values()) == 100
    served = Counter(endpoint.predict(instances=ROWS[:1]).deployed_model_id for _ in range(200))
    assert 30 <= served[tree_id] <= 90  # about 60 of 200

    endpoint.undeploy(deployed_model_id=tree_id)
    assert set(endpoint.traffic_split.values()) == {100}
    endpoint.undeploy_all()
    assert endpoint.list_models() == []
    endpoint.delete()
    assert aiplatform.Endpoint.list() == []
    with pytest.raises(exceptions.NotFound) as caught:
        endpoint.predict(instances=ROWS)
    assert status_of(caught.value) == "NOT_FOUND" and endpoint.resource_name in caught.value.message


def test_serving_errors_are_googles(artifacts: dict[str, str]) -> None:
    model = upload(artifacts["logistic"])
    endpoint = model.deploy(machine_type="n1-standard-2")

    with pytest.raises(exceptions.BadRequest) as caught:
        endpoint.predict(instances=[["a", "b"]])
    assert status_of(caught.value) == "INVALID_ARGUMENT"
    with pytest.raises(exceptions.BadRequest) as caught:
        model.delete()
    assert status_of(caught.value) == "FAILED_PRECONDITION" and endpoint.resource_name in caught.value.message
    with pytest.raises(exceptions.BadRequest) as caught:
        endpoint.delete()
    assert status_of(caught.value) == "FAILED_PRECONDITION"
    with pytest.raises(exceptions.NotFound) as caught:
        aiplatform.Model(model.resource_name, version="nope")
    assert status_of(caught.value) == "NOT_FOUND"

    own = aiplatform.Model.upload(
        display_name="own", artifact_uri=artifacts["tree"], serving_container_image_uri="gcr.io/me/server:1"
    )
    with pytest.raises(exceptions.BadRequest) as caught:
        own.deploy(endpoint=endpoint, traffic_percentage=0)
    assert status_of(caught.value) == "FAILED_PRECONDITION" and "gcr.io/me/server:1" in caught.value.message
    missing = aiplatform.Model.upload(
        display_name="missing",
        artifact_uri=f"gs://{BUCKET}/nothing/",
        serving_container_image_uri=SERVE_IMAGE,
    )
    with pytest.raises(exceptions.NotFound) as caught:
        missing.deploy(endpoint=endpoint, traffic_percentage=0)
    assert status_of(caught.value) == "NOT_FOUND" and f"gs://{BUCKET}/nothing/" in caught.value.message
    endpoint.undeploy_all()
    endpoint.delete()


def test_an_unknown_vertex_method_is_unimplemented_naming_it(artifacts: dict[str, str]) -> None:
    url = os.environ["CLOUDAI_GCP_ENDPOINT"] + "/v1/projects/p/locations/us-central1/featurestores"
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 501
    assert (
        answer.json()["error"]["status"] == "UNIMPLEMENTED"
        and "featurestores" in answer.json()["error"]["message"]
    )


def test_operations_carry_their_type_and_are_polled_where_the_sdk_polls(artifacts: dict[str, str]) -> None:
    from google.cloud import aiplatform_v1

    client = aiplatform_v1.EndpointServiceClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    parent = "projects/cloudai-local/locations/us-central1"
    operation = client.create_endpoint(parent=parent, endpoint={"display_name": "plain"})
    created = operation.result(timeout=30)
    assert created.display_name == "plain" and created.name.startswith(parent + "/endpoints/")
    polled = client.get_operation({"name": operation.operation.name})  # GET /ui/{name}, as the SDK polls
    assert polled.done and polled.name.startswith(created.name + "/operations/")
    with pytest.raises(exceptions.NotFound) as caught:
        client.get_operation({"name": created.name + "/operations/42"})
    assert status_of(caught.value) == "NOT_FOUND"

    model = upload(artifacts["logistic"]).resource_name
    with pytest.raises(exceptions.BadRequest) as caught:
        client.deploy_model(
            endpoint=created.name, deployed_model={"model": model}, traffic_split={"0": 90}
        ).result(timeout=30)
    assert status_of(caught.value) == "INVALID_ARGUMENT" and "100" in caught.value.message
    with pytest.raises(exceptions.BadRequest) as caught:
        client.update_endpoint(
            endpoint={"name": created.name, "traffic_split": {"nobody": 100}},
            update_mask={"paths": ["traffic_split"]},
        )
    assert status_of(caught.value) == "INVALID_ARGUMENT"
