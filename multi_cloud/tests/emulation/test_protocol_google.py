"""protocols/google over the wire: google-api-core and the Vertex REST client parse errors, poll LROs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from multi_cloud.core.errors import AlreadyExists, NotFound, Unsupported
from multi_cloud.emulation.http.wsgi_app import EmulatorApp
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.emulation.protocols.google.errors import (
    GoogleError,
    crashed_answer,
    error_from_cloud_error,
    unmatched_answer,
)
from multi_cloud.emulation.protocols.google.operations import (
    Operation,
    OperationsService,
    OperationStore,
    type_url,
)
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, compile_rule, json_body

PARENT = "projects/demo/locations/us-central1"
SCHEMA = "gs://google-cloud-aiplatform/schema/dataset/metadata/tabular_1.0.0.yaml"


class TinyDatasets:
    """Just enough of Vertex AI's DatasetService to exercise errors, operations and routing."""

    def __init__(self, store: OperationStore) -> None:
        self.store = store
        self.routes = GoogleRoutes(
            {
                ("GET", "/v1/{name=projects/*/locations/*/datasets/*}"): self.get_dataset,
                ("POST", "/v1/{parent=projects/*/locations/*}/datasets"): self.create_dataset,
            }
        )

    def get_dataset(self, request: Any, name: str) -> dict[str, Any]:
        if name.endswith("/boom"):
            raise RuntimeError("the engine tripped")
        raise NotFound(f"Dataset {name} not found.")  # a CloudError: GoogleRoutes maps it

    def create_dataset(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        metadata = {"@type": type_url("google.cloud.aiplatform.v1.CreateDatasetOperationMetadata")}
        return self.store.start(parent, metadata, lambda op: self._create(op, body)).to_json()

    def _create(self, operation: Operation, body: dict[str, Any]) -> dict[str, Any]:
        if body["displayName"] == "taken":
            raise error_from_cloud_error(AlreadyExists("Dataset taken already exists."))
        if body["displayName"] == "slow":
            operation.cancel_requested.wait(10)
        return {
            "@type": type_url("google.cloud.aiplatform.v1.Dataset"),
            "name": f"{PARENT}/datasets/{operation.id}",
            "displayName": body["displayName"],
            "metadataSchemaUri": body["metadataSchemaUri"],
        }


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedWSGIServer]:
    store = OperationStore()
    app = EmulatorApp(
        services=[TinyDatasets(store).routes, OperationsService(store)],
        unmatched=unmatched_answer,
        crashed=crashed_answer,
    )
    running = ThreadedWSGIServer(app)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def vertex(server: ThreadedWSGIServer) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import aiplatform_v1

    return aiplatform_v1.DatasetServiceClient(
        transport="rest",
        client_options={"api_endpoint": server.url},
        credentials=AnonymousCredentials(),
    )


def test_not_found_body_is_parsed_by_google_api_core(server: ThreadedWSGIServer) -> None:
    import requests
    from google.api_core import exceptions

    answer = requests.get(f"{server.url}/v1/{PARENT}/datasets/missing", timeout=10)
    error = exceptions.from_http_response(answer)
    assert isinstance(error, exceptions.NotFound)
    assert error.code == 404 and error.message.endswith(f"Dataset {PARENT}/datasets/missing not found.")
    assert answer.json()["error"] == {
        "code": 404,
        "message": f"Dataset {PARENT}/datasets/missing not found.",
        "status": "NOT_FOUND",
    }


def test_vertex_client_raises_not_found_with_the_servers_message(vertex: Any) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.NotFound, match=f"Dataset {PARENT}/datasets/missing not found"):
        vertex.get_dataset(name=f"{PARENT}/datasets/missing")


def test_unmatched_is_501_naming_method_and_path(vertex: Any) -> None:
    from google.api_core import exceptions

    with pytest.raises(exceptions.MethodNotImplemented) as caught:
        vertex.list_datasets(parent=PARENT)
    assert f"does not implement GET /v1/{PARENT}/datasets" in caught.value.message


def test_a_crash_is_500_internal_naming_the_exception(server: ThreadedWSGIServer) -> None:
    import requests
    from google.api_core import exceptions

    error = exceptions.from_http_response(requests.get(f"{server.url}/v1/{PARENT}/datasets/boom", timeout=10))
    assert isinstance(error, exceptions.InternalServerError)
    assert "RuntimeError: the engine tripped" in error.message


def test_details_and_cloud_error_mapping() -> None:
    bad = GoogleError(
        "INVALID_ARGUMENT",
        "bad field",
        details=[{"@type": type_url("google.rpc.BadRequest"), "fieldViolations": [{"field": "x"}]}],
    )
    assert bad.body()["error"]["details"][0]["fieldViolations"] == [{"field": "x"}]
    assert bad.rpc_status()["code"] == 3
    assert error_from_cloud_error(Unsupported("no engine")).http_status == 501
    with pytest.raises(ValueError, match="canonical"):
        GoogleError("NOPE", "x")


def test_operation_polled_by_the_vertex_sdk_reaches_done_with_the_response(vertex: Any) -> None:
    from google.cloud import aiplatform_v1

    dataset = aiplatform_v1.Dataset(display_name="iris", metadata_schema_uri=SCHEMA)
    operation = vertex.create_dataset(parent=PARENT, dataset=dataset)
    assert operation.operation.name.startswith(f"{PARENT}/operations/")
    created = operation.result(timeout=10)
    assert created.display_name == "iris" and created.name.startswith(f"{PARENT}/datasets/")
    assert operation.done() and operation.metadata is not None


def test_failed_operation_raises_its_status(vertex: Any) -> None:
    from google.api_core import exceptions
    from google.cloud import aiplatform_v1

    operation = vertex.create_dataset(
        parent=PARENT, dataset=aiplatform_v1.Dataset(display_name="taken", metadata_schema_uri=SCHEMA)
    )
    with pytest.raises(exceptions.AlreadyExists, match="Dataset taken already exists"):
        operation.result(timeout=10)


def test_operations_are_listed_cancelled_and_deleted(vertex: Any) -> None:
    from google.api_core import exceptions
    from google.cloud import aiplatform_v1
    from google.longrunning import operations_pb2

    operation = vertex.create_dataset(
        parent=PARENT, dataset=aiplatform_v1.Dataset(display_name="slow", metadata_schema_uri=SCHEMA)
    )
    name = operation.operation.name
    listed = vertex.list_operations(operations_pb2.ListOperationsRequest(name=PARENT))
    assert name in [op.name for op in listed.operations]
    vertex.cancel_operation(operations_pb2.CancelOperationRequest(name=name))
    cancelled = vertex.get_operation(operations_pb2.GetOperationRequest(name=name))
    assert cancelled.done and cancelled.error.code == 1  # google.rpc.Code.CANCELLED
    with pytest.raises(exceptions.Cancelled):
        operation.result(timeout=10)
    vertex.delete_operation(operations_pb2.DeleteOperationRequest(name=name))
    with pytest.raises(exceptions.NotFound, match="not found"):
        vertex.get_operation(operations_pb2.GetOperationRequest(name=name))


def test_http_rule_templates_bind_fields_segments_and_verbs() -> None:
    get = compile_rule("get", "/v1/{name=projects/*/locations/*/models/*}")
    assert get.match("GET", "/v1/projects/p/locations/l/models/m%40ID") == {
        "name": "projects/p/locations/l/models/m@ID"
    }
    assert get.match("POST", "/v1/projects/p/locations/l/models/m") is None
    assert get.match("GET", "/v1/projects/p/locations/l/models/m/versions") is None
    cancel = compile_rule("POST", "/ui/{name=projects/*/locations/*/operations/*}:cancel")
    assert cancel.match("POST", "/ui/projects/p/locations/l/operations/7:cancel") == {
        "name": "projects/p/locations/l/operations/7"
    }
    assert cancel.match("POST", "/ui/projects/p/locations/l/operations/7") is None
    deep = compile_rule("GET", "/v1/{resource=**}:getIamPolicy")
    assert deep.match("GET", "/v1/projects/p/buckets/b/objects/o:getIamPolicy") == {
        "resource": "projects/p/buckets/b/objects/o"
    }
    plain = compile_rule("GET", "/storage/v1/b/{bucket}/o/{object}")
    assert plain.match("GET", "/storage/v1/b/x/o/a%2Fb") == {"bucket": "x", "object": "a/b"}
    assert plain.fields == ("bucket", "object")


def test_a_malformed_body_is_invalid_argument(server: ThreadedWSGIServer) -> None:
    import requests
    from google.api_core import exceptions

    answer = requests.post(f"{server.url}/v1/{PARENT}/datasets", data=b"[1]", timeout=10)
    error = exceptions.from_http_response(answer)
    assert isinstance(error, exceptions.BadRequest) and "Expected an object" in error.message
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_listing_pages_and_wait_over_rest() -> None:
    import requests

    store = OperationStore()
    parent = "projects/paged/locations/l"
    names = [store.create(parent, {"@type": type_url("google.protobuf.Empty")}).name for _ in range(3)]
    store.succeed(names[0])
    app = EmulatorApp(services=[OperationsService(store)], unmatched=unmatched_answer, crashed=crashed_answer)
    running = ThreadedWSGIServer(app)
    running.start()
    try:
        first = requests.get(
            f"{running.url}/v1/{parent}/operations", params={"pageSize": 2}, timeout=10
        ).json()
        assert [op["name"] for op in first["operations"]] == names[:2] and first["nextPageToken"] == "2"
        rest = requests.get(
            f"{running.url}/v1/{parent}/operations", params={"pageSize": 2, "pageToken": "2"}, timeout=10
        ).json()
        assert [op["name"] for op in rest["operations"]] == names[2:] and "nextPageToken" not in rest
        done = requests.post(f"{running.url}/v1/{names[0]}:wait", json={"timeout": "1s"}, timeout=10).json()
        assert done["done"] is True and done["response"] == {
            "@type": "type.googleapis.com/google.protobuf.Empty"
        }
        waited = requests.post(
            f"{running.url}/v1/{names[1]}:wait", json={"timeout": "0.05s"}, timeout=10
        ).json()
        assert waited["done"] is False
        bad = requests.get(f"{running.url}/v1/{parent}/operations", params={"pageToken": "x"}, timeout=10)
        assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"
    finally:
        running.stop()
    with pytest.raises(ValueError, match="@type"):
        store.succeed(names[2], {"name": "no type"})


def test_clear_forgets_every_operation() -> None:
    store = OperationStore()
    name = store.create("projects/p/locations/l", {"@type": type_url("google.protobuf.Empty")}).name
    store.clear()
    with pytest.raises(GoogleError) as caught:
        store.get(name)
    assert caught.value.status == "NOT_FOUND"
