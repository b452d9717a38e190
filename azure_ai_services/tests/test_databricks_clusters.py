"""Databricks clusters over the wire with ``WorkspaceClient()``: lifecycle, catalog, auth and errors."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("fast_databricks_polls")


@pytest.fixture
def workspace(azure_env: dict[str, str]) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def test_cluster_lifecycle_pending_running_terminated(workspace: Any) -> None:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.service.compute import State

    waiter = workspace.clusters.create(
        cluster_name="lesson", spark_version="15.4.x-scala2.12", node_type_id="Standard_DS3_v2", num_workers=1
    )
    assert workspace.clusters.get(waiter.cluster_id).state == State.PENDING
    cluster = waiter.result()
    assert cluster.state == State.RUNNING
    assert cluster.num_workers == 1
    assert [c.cluster_id for c in workspace.clusters.list()] == [cluster.cluster_id]
    stopped = workspace.clusters.delete(cluster.cluster_id).result()
    assert stopped.state == State.TERMINATED
    assert workspace.clusters.start(cluster.cluster_id).result().state == State.RUNNING
    workspace.clusters.permanent_delete(cluster.cluster_id)
    with pytest.raises(NotFound) as err:
        workspace.clusters.get(cluster.cluster_id)
    assert err.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_catalog_lists_runtimes_and_node_types(workspace: Any) -> None:
    versions = workspace.clusters.spark_versions().versions
    assert "15.4.x-scala2.12" in [v.key for v in versions]
    smallest = workspace.clusters.select_node_type(local_disk=False, min_cores=4, min_memory_gb=14)
    assert smallest == "Standard_DS3_v2"
    assert workspace.clusters.select_spark_version(long_term_support=True, ml=True).startswith("15.4")


def test_bad_cluster_spec_is_invalid_parameter_value(workspace: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue

    with pytest.raises(InvalidParameterValue, match="spark version"):
        workspace.clusters.create(cluster_name="x", spark_version="0.1", node_type_id="Standard_DS3_v2")
    with pytest.raises(InvalidParameterValue, match="list-node-types"):
        workspace.clusters.create(cluster_name="x", spark_version="15.4.x-scala2.12", node_type_id="m5.large")


def test_wrong_token_is_401_unauthenticated(azure_env: dict[str, str]) -> None:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import Unauthenticated

    intruder = WorkspaceClient(host=azure_env["DATABRICKS_HOST"], token="dapi-not-the-token")
    with pytest.raises(Unauthenticated) as err:
        intruder.clusters.list_node_types()
    assert err.value.error_code == "UNAUTHENTICATED"


def test_unknown_route_is_501_naming_the_method(workspace: Any) -> None:
    from databricks.sdk.errors.base import DatabricksError

    with pytest.raises(DatabricksError) as err:
        workspace.api_client.do("GET", "/api/2.0/secrets/scopes/list")
    assert err.value.error_code == "NOT_IMPLEMENTED"
    assert "GET /api/2.0/secrets/scopes/list" in str(err.value)


def test_raw_requests_get_databricks_error_bodies(azure_env: dict[str, str]) -> None:
    import requests

    host, token = azure_env["DATABRICKS_HOST"], azure_env["DATABRICKS_TOKEN"]
    auth = {"Authorization": f"Bearer {token}"}
    anonymous = requests.get(f"{host}/api/2.1/clusters/list", timeout=30)
    assert anonymous.status_code == 401 and anonymous.json()["error_code"] == "UNAUTHENTICATED"
    garbled = requests.post(f"{host}/api/2.1/clusters/create", data=b"{not json", headers=auth, timeout=30)
    assert garbled.status_code == 400 and garbled.json()["error_code"] == "MALFORMED_REQUEST"
    missing = requests.get(
        f"{host}/api/2.1/clusters/get", params={"cluster_id": "nope"}, headers=auth, timeout=30
    )
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    elsewhere = requests.get(
        host.rsplit("/", 1)[0] + "/other-ws/api/2.1/clusters/list", headers=auth, timeout=30
    )
    assert elsewhere.status_code == 404 and "adb-local" in elsewhere.json()["message"]
