"""Azure ML's workspace, datastores and computes through ``MLClient``, and Azure's quota errors."""

from __future__ import annotations

from typing import Any

import pytest
import requests


@pytest.fixture
def ml_client(azure_env: dict[str, str]) -> Any:
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential

    return MLClient(DefaultAzureCredential(), "00000000-0000-0000-0000-000000000000", "rg", "ws")


def test_the_workspace_and_its_default_datastore(ml_client: Any) -> None:
    assert ml_client.workspaces.get("ws").name == "ws"
    datastore = ml_client.datastores.get_default()
    assert datastore.name == "workspaceblobstore"
    assert datastore.container_name.startswith("azureml-blobstore-")
    assert "workspaceblobstore" in [d.name for d in ml_client.datastores.list()]


def test_computes_are_created_listed_and_read(ml_client: Any) -> None:
    from azure.ai.ml.entities import AmlCompute

    created = ml_client.compute.begin_create_or_update(
        AmlCompute(name="cpu-cluster", size="STANDARD_DS3_V2", max_instances=2)
    ).result()
    assert created.provisioning_state == "Succeeded"
    assert ml_client.compute.get("cpu-cluster").size.upper() == "STANDARD_DS3_V2"
    assert [c.name for c in ml_client.compute.list()] == ["cpu-cluster"]


@pytest.mark.parametrize(("size", "nodes"), [("Standard_NC24ads_A100_v4", 1), ("STANDARD_DS3_V2", 64)])
def test_a_compute_beyond_the_local_quota_is_quota_exceeded(ml_client: Any, size: str, nodes: int) -> None:
    from azure.ai.ml.entities import AmlCompute
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as caught:
        ml_client.compute.begin_create_or_update(
            AmlCompute(name="big", size=size, max_instances=nodes)
        ).result()
    assert caught.value.status_code == 400
    assert caught.value.error.code == "QuotaExceeded"


def test_an_unknown_compute_is_resource_not_found(ml_client: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError):
        ml_client.compute.get("nothing-here")


def test_an_unknown_azure_ml_route_is_a_clear_501(azure_env: dict[str, str]) -> None:
    url = (
        azure_env["CLOUDAI_AZURE_ENDPOINT"] + "/subscriptions/s/resourceGroups/rg/providers/"
        "Microsoft.MachineLearningServices/workspaces/ws/featuresets?api-version=2024-10-01"
    )
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 501
    assert answer.json()["error"]["code"] == "NotImplemented"


JOB_URL = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/jobs/j1"
    "?api-version=2024-10-01"
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "InvalidRequestContent"),
        (b'{"properties": {}}', "UserError"),
        (b'{"properties": {"jobType": "Command", "command": "echo", "environmentId": "mine"}}', "UserError"),
    ],
)
def test_bad_job_bodies_get_azure_errors(azure_env: dict[str, str], body: bytes, code: str) -> None:
    answer = requests.put(azure_env["CLOUDAI_AZURE_ENDPOINT"] + JOB_URL, data=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code


def test_an_automl_job_is_a_clear_501(azure_env: dict[str, str]) -> None:
    body = {"properties": {"jobType": "AutoML", "command": "x"}}
    answer = requests.put(azure_env["CLOUDAI_AZURE_ENDPOINT"] + JOB_URL, json=body, timeout=10)
    assert answer.status_code == 501
    assert answer.json()["error"]["code"] == "NotImplemented"


def test_a_sweep_job_without_a_trial_is_a_user_error(azure_env: dict[str, str]) -> None:
    body = {"properties": {"jobType": "Sweep", "command": "x"}}
    answer = requests.put(azure_env["CLOUDAI_AZURE_ENDPOINT"] + JOB_URL, json=body, timeout=10)
    assert answer.status_code == 400
    assert "trial.command" in answer.json()["error"]["message"]


def test_an_unknown_job_is_404(azure_env: dict[str, str]) -> None:
    answer = requests.get(azure_env["CLOUDAI_AZURE_ENDPOINT"] + JOB_URL, timeout=10)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "UserError"
