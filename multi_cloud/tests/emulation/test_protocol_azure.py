"""protocols/azure over the wire: azure-core parses its error bodies and polls its long-running operations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.emulation.http.wsgi_app import EmulatorApp
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.emulation.protocols.azure.errors import (
    AzureError,
    ErrorCodes,
    crashed_answer,
    error_from_cloud_error,
    unmatched_answer,
)
from multi_cloud.emulation.protocols.azure.operations import (
    AsyncOperation,
    AsyncOperationsService,
    AsyncOperationStore,
    accepted_response,
)
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, compile_path, json_body

SCOPE = "/subscriptions/sub/providers/Microsoft.Demo/locations/local"
VERSION = "api-version=2024-01-01"


class TinyWidgets:
    """A resource provider with one resource type: GET a widget, POST .../build starts an operation."""

    def __init__(self, store: AsyncOperationStore) -> None:
        self.store = store
        self.routes = AzureRoutes(
            {
                ("GET", "/widgets/{widgetName}"): self.get,
                ("POST", "/widgets/{widgetName}/build"): self.build,
            },
            api_versions=("2024-01-01",),
        )

    def get(self, request: Any, widgetName: str) -> dict[str, Any]:  # noqa: N803 - the REST spec's name
        if widgetName == "boom":
            raise RuntimeError("the engine tripped")
        raise NotFound(f"The widget '{widgetName}' was not found.")  # a CloudError: AzureRoutes maps it

    def build(self, request: Any, widgetName: str) -> Any:  # noqa: N803 - the REST spec's name
        options = json_body(request)
        operation = self.store.start(SCOPE, lambda op: self._build(op, widgetName))
        answer = accepted_response(operation, request.host_url.rstrip("/"), query=VERSION)
        if options.get("via") == "location":
            del answer.headers["Azure-AsyncOperation"]
        return answer

    def _build(self, operation: AsyncOperation, name: str) -> dict[str, Any]:
        if name == "slow":
            operation.cancel_requested.wait(10)
        if name == "taken":
            raise AlreadyExists(f"The widget '{name}' is already built.")
        return {
            "id": f"{SCOPE}/widgets/{name}",
            "name": name,
            "properties": {"provisioningState": "Succeeded"},
        }


STORE = AsyncOperationStore(retry_after=0)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedWSGIServer]:
    store = STORE
    app = EmulatorApp(
        services=[TinyWidgets(store).routes, AsyncOperationsService(store)],
        unmatched=unmatched_answer,
        crashed=crashed_answer,
    )
    running = ThreadedWSGIServer(app)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(server: ThreadedWSGIServer) -> Any:
    from azure.core import PipelineClient

    return PipelineClient(base_url=server.url)


def _send(client: Any, method: str, url: str, *, content: bytes | None = None, **kwargs: Any) -> Any:
    from azure.core.rest import HttpRequest

    return client.send_request(HttpRequest(method, url, content=content), **kwargs)


def test_not_found_code_and_message_are_read_by_azure_core(client: Any, server: ThreadedWSGIServer) -> None:
    from azure.core.exceptions import HttpResponseError, ODataV4Format, ResourceNotFoundError, map_error

    response = _send(client, "GET", f"{server.url}/widgets/missing?{VERSION}")
    assert response.status_code == 404 and response.headers["x-ms-error-code"] == "ResourceNotFound"
    error = HttpResponseError(response=response, error_format=ODataV4Format)
    assert (error.error.code, error.error.message) == (
        "ResourceNotFound",
        "The widget 'missing' was not found.",
    )
    with pytest.raises(ResourceNotFoundError, match="The widget 'missing' was not found"):
        map_error(status_code=404, response=response, error_map={404: ResourceNotFoundError})


def test_unmatched_is_501_naming_method_and_path(client: Any, server: ThreadedWSGIServer) -> None:
    from azure.core.exceptions import HttpResponseError, ODataV4Format

    response = _send(client, "DELETE", f"{server.url}/gadgets/x")
    error = HttpResponseError(response=response, error_format=ODataV4Format)
    assert response.status_code == 501 and error.error.code == "NotImplemented"
    assert "does not implement DELETE /gadgets/x" in error.error.message


def test_a_crash_is_500_naming_the_exception(client: Any, server: ThreadedWSGIServer) -> None:
    from azure.core.exceptions import HttpResponseError, ODataV4Format

    response = _send(client, "GET", f"{server.url}/widgets/boom?{VERSION}")
    error = HttpResponseError(response=response, error_format=ODataV4Format)
    assert response.status_code == 500 and error.error.code == "InternalServerError"
    assert "RuntimeError: the engine tripped" in error.error.message


def test_target_details_and_service_codes() -> None:
    nested = AzureError(400, "InvalidField", "x is wrong", target="x")
    outer = AzureError(400, "BadRequest", "invalid body", details=[nested])
    assert outer.error()["details"] == [{"code": "InvalidField", "message": "x is wrong", "target": "x"}]
    cognitive = ErrorCodes(invalid=(400, "InvalidRequest"))
    mapped = error_from_cloud_error(InvalidArgument("bad image"), cognitive)
    assert (mapped.status, mapped.code, mapped.message) == (400, "InvalidRequest", "bad image")


def _poller(client: Any, server: ThreadedWSGIServer, name: str, via: str = "") -> Any:
    from azure.core.polling import LROPoller
    from azure.core.polling.base_polling import LROBasePolling
    from azure.core.rest import HttpRequest

    request = HttpRequest("POST", f"{server.url}/widgets/{name}/build?{VERSION}", json={"via": via})
    initial = client.send_request(request, _return_pipeline_response=True)
    assert initial.http_response.status_code == 202
    return LROPoller(
        client, initial, lambda pipeline: pipeline.http_response.json(), LROBasePolling(timeout=0.01)
    )


def test_azure_async_operation_is_polled_to_the_final_resource(
    client: Any, server: ThreadedWSGIServer
) -> None:
    poller = _poller(client, server, "alpha")
    result = poller.result(timeout=10)
    assert poller.status() == "Succeeded"
    assert result == {
        "id": f"{SCOPE}/widgets/alpha",
        "name": "alpha",
        "properties": {"provisioningState": "Succeeded"},
    }


def test_location_only_polling_reaches_the_final_resource(client: Any, server: ThreadedWSGIServer) -> None:
    poller = _poller(client, server, "beta", via="location")
    assert poller.result(timeout=10)["name"] == "beta"


def test_a_failed_operation_reports_its_error(client: Any, server: ThreadedWSGIServer) -> None:
    from azure.core.exceptions import HttpResponseError

    poller = _poller(client, server, "taken")
    with pytest.raises(HttpResponseError) as caught:
        poller.result(timeout=10)
    assert poller.status() == "Failed"
    assert caught.value.error.code == "Conflict"
    assert caught.value.error.message == "The widget 'taken' is already built."


def test_status_resource_and_location_before_and_after(client: Any, server: ThreadedWSGIServer) -> None:
    initial = _send(client, "POST", f"{server.url}/widgets/gamma/build?{VERSION}")
    status_url, location = initial.headers["Azure-AsyncOperation"], initial.headers["Location"]
    assert status_url.endswith("?api-version=2024-01-01") and initial.headers["Retry-After"] == "0"
    for _ in range(200):
        status = _send(client, "GET", status_url).json()
        if status["status"] != "InProgress":
            break
    assert status["status"] == "Succeeded" and status["name"] in status_url
    assert status["id"] == f"{SCOPE}/operationStatuses/{status['name']}" and status["endTime"]
    done = _send(client, "GET", location)
    assert done.status_code == 200 and done.json()["name"] == "gamma"
    missing = _send(client, "GET", f"{server.url}{SCOPE}/operationStatuses/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"


def test_location_is_202_until_done_and_a_cancel_ends_the_operation(
    client: Any, server: ThreadedWSGIServer
) -> None:
    initial = _send(client, "POST", f"{server.url}/widgets/slow/build?{VERSION}")
    status_url, location = initial.headers["Azure-AsyncOperation"], initial.headers["Location"]
    pending = _send(client, "GET", location)
    assert pending.status_code == 202 and pending.headers["Location"] == location
    assert pending.headers["Retry-After"] == "0"
    assert _send(client, "GET", status_url).json()["status"] == "InProgress"
    operation = STORE.cancel(_send(client, "GET", status_url).json()["name"])
    assert operation.cancel_requested.is_set()
    assert _send(client, "GET", status_url).json()["status"] == "Canceled"
    ended = _send(client, "GET", location)
    assert ended.status_code == 409 and ended.json()["error"]["code"] == "OperationCanceled"


def test_api_version_is_required_and_checked(client: Any, server: ThreadedWSGIServer) -> None:
    from azure.core.exceptions import HttpResponseError, ODataV4Format

    for query, code in (
        ("", "MissingApiVersionParameter"),
        ("?api-version=1999-01-01", "InvalidApiVersionParameter"),
    ):
        response = _send(client, "GET", f"{server.url}/widgets/any{query}")
        error = HttpResponseError(response=response, error_format=ODataV4Format)
        assert (response.status_code, error.error.code) == (400, code)
    bad = _send(client, "POST", f"{server.url}/widgets/any/build?{VERSION}", content=b"[1]")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidRequestContent"


def test_arm_path_templates_bind_segments_case_insensitively() -> None:
    rule = compile_path(
        "put",
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.X/things/{name}",
    )
    assert rule.match("PUT", "/subscriptions/s/resourcegroups/rg/providers/microsoft.x/things/a%20b") == {
        "subscriptionId": "s",
        "resourceGroupName": "rg",
        "name": "a b",
    }
    assert rule.match("GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/a") is None
    assert rule.match("PUT", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/a/b") is None
