"""Azure Functions over the wire: ARM sites, Kudu zip deploy, HTTP keys, Blob and Queue triggers (Azurite)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

SUB, GROUP = "00000000-0000-0000-0000-000000000000", "rg-functions"
API = {"api-version": "2023-12-01"}


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing after {seconds} s")


@pytest.fixture
def arm(azure_env: dict[str, str]) -> requests.Session:
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token("https://management.azure.com/.default").token
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.params = API
    return session


@pytest.fixture
def site_url(azure_env: dict[str, str]) -> str:
    base = azure_env["CLOUDAI_AZURE_ENDPOINT"]
    return f"{base}/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Web/sites"


@pytest.fixture
def deployed(arm: requests.Session, site_url: str, function_app_zip: Any) -> dict[str, Any]:
    name = f"fa-{uuid.uuid4().hex[:8]}"
    created = arm.put(
        f"{site_url}/{name}",
        json={
            "location": "westeurope",
            "kind": "functionapp,linux",
            "properties": {"siteConfig": {"appSettings": [{"name": "MODEL_NAME", "value": "demo"}]}},
        },
    )
    assert created.status_code == 201, created.text
    site = created.json()
    scm = next(s["name"] for s in site["properties"]["hostNameSslStates"] if s["hostType"] == "Repository")
    deploy = arm.post(f"https://{scm}/api/zipdeploy", data=function_app_zip(), params={"isAsync": "true"})
    assert deploy.status_code == 202, deploy.text
    status = arm.get(deploy.headers["Location"]).json()
    assert status["status"] == 4 and status["complete"], status
    keys = arm.post(f"{site_url}/{name}/host/default/listkeys").json()
    return {"name": name, "site": site, "keys": keys, "host": site["properties"]["defaultHostName"]}


def test_site_is_an_arm_resource(arm: requests.Session, site_url: str, deployed: dict[str, Any]) -> None:
    got = arm.get(f"{site_url}/{deployed['name']}").json()
    assert got["type"] == "Microsoft.Web/sites" and got["kind"] == "functionapp,linux"
    functions = arm.get(f"{site_url}/{deployed['name']}/functions").json()["value"]
    names = {f["properties"]["name"]: f for f in functions}
    assert set(names) == {"hello", "public", "boom", "count_words", "process_order", "on_event", "slow"}
    assert names["hello"]["properties"]["invoke_url_template"].endswith("/api/hello/{name}")
    settings = arm.post(f"{site_url}/{deployed['name']}/config/appsettings/list").json()["properties"]
    assert settings["MODEL_NAME"] == "demo" and "AzureWebJobsStorage" in settings


def test_http_function_needs_its_key(deployed: dict[str, Any]) -> None:
    url = f"https://{deployed['host']}/api/hello/Ada"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, headers={"x-functions-key": "wrong"}, timeout=30).status_code == 401
    key = deployed["keys"]["functionKeys"]["default"]
    first = requests.get(url, params={"code": key, "shout": "yes"}, timeout=30)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["greeting"] == "Hello, Ada!" and body["shout"] == "yes" and body["site"] == deployed["name"]
    assert first.headers["Content-Type"].startswith("application/json")
    second = requests.post(url, headers={"x-functions-key": key}, data=b"payload", timeout=30).json()
    assert second["pid"] == body["pid"] and second["invocations"] == body["invocations"] + 1  # warm
    assert second["echo"] == "payload" and second["method"] == "POST"


def test_http_errors_as_the_host_answers(deployed: dict[str, Any]) -> None:
    base = f"https://{deployed['host']}/api"
    assert requests.get(f"{base}/public", timeout=30).status_code == 202
    boom = requests.get(f"{base}/boom", timeout=30)
    assert boom.status_code == 500 and boom.content == b""
    assert requests.get(f"{base}/nothing-here", timeout=30).status_code == 404
    assert requests.delete(f"{base}/hello/x", timeout=30).status_code == 404  # method not allowed
    assert requests.get(f"{base.rsplit('/', 2)[0]}/no-such-app/api/public", timeout=30).status_code == 404


def test_logs_show_invocations_and_tracebacks(arm: requests.Session, deployed: dict[str, Any]) -> None:
    requests.get(f"https://{deployed['host']}/api/boom", timeout=30)
    scm = deployed["site"]["properties"]["enabledHostNames"][1]
    log = arm.get(f"https://{scm}/api/logstream").text
    assert "Executed 'Functions.boom' (Failed" in log and "the model file is missing" in log


def test_blob_trigger_fires_from_azurite(deployed: dict[str, Any], blob_service: Any) -> None:
    from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

    for container in ("uploads", "results"):
        try:
            blob_service.create_container(container)
        except ResourceExistsError:
            pass
    name = f"doc-{uuid.uuid4().hex[:6]}"
    blob_service.get_blob_client("uploads", f"{name}.txt").upload_blob(b"three little words", overwrite=True)
    blob_service.get_blob_client("uploads", f"{name}.png").upload_blob(b"not matched", overwrite=True)

    def result() -> Any:
        try:
            return blob_service.get_blob_client("results", f"{name}.json").download_blob().readall()
        except ResourceNotFoundError:
            return None

    written = json.loads(wait_for(result))
    assert written == {"name": f"uploads/{name}.txt", "words": 3, "length": 18}
    with pytest.raises(ResourceNotFoundError):
        blob_service.get_blob_client("results", f"{name}.png.json").get_blob_properties()


def test_queue_trigger_consumes_base64_and_poisons(deployed: dict[str, Any]) -> None:
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient, TextBase64EncodePolicy

    connection = os.environ["AZURE_STORAGE_CONNECTION_STRING"]
    orders = QueueClient.from_connection_string(
        connection, "orders", message_encode_policy=TextBase64EncodePolicy()
    )
    try:
        orders.create_queue()
    except ResourceExistsError:
        pass
    orders.send_message(json.dumps({"id": "o-1", "qty": 3, "price": 2.5}))
    orders.send_message(json.dumps({"id": "o-2", "fail": True}))
    done = QueueClient.from_connection_string(
        connection, "orders-done", message_decode_policy=BinaryBase64DecodePolicy()
    )
    poison = QueueClient.from_connection_string(
        connection, "orders-poison", message_decode_policy=BinaryBase64DecodePolicy()
    )

    def first(queue: QueueClient) -> Any:
        try:
            return next(iter(queue.receive_messages(max_messages=1)), None)
        except Exception:  # noqa: BLE001 - the queue does not exist yet
            return None

    result = wait_for(lambda: first(done))
    assert json.loads(result.content) == {"id": "o-1", "total": 7.5, "dequeue_count": 1}
    poisoned = wait_for(lambda: first(poison), seconds=60)
    assert json.loads(poisoned.content)["id"] == "o-2"
    assert orders.get_queue_properties().approximate_message_count == 0


def test_bad_packages_and_names_get_azure_errors(
    arm: requests.Session, site_url: str, deployed: dict[str, Any], function_app_zip: Any
) -> None:
    bad_name = arm.put(f"{site_url}/-bad-", json={"location": "westeurope"})
    assert bad_name.status_code == 400 and bad_name.json()["error"]["code"] == "InvalidResourceName"
    no_location = arm.put(f"{site_url}/fa-nolocation", json={})
    assert no_location.json()["error"]["code"] == "LocationRequired"
    scm = deployed["site"]["properties"]["enabledHostNames"][1]
    not_zip = arm.post(f"https://{scm}/api/zipdeploy", data=b"not a zip")
    assert not_zip.status_code == 400 and "not a valid zip" in not_zip.json()["error"]["message"]
    broken = function_app_zip({"function_app.py": "import azure.functions as func\nimport no_such_module\n"})
    failed = arm.post(f"https://{scm}/api/zipdeploy", data=broken)
    assert failed.status_code == 400 and "no_such_module" in failed.json()["error"]["message"]
    unauthenticated = requests.post(f"https://{scm}/api/zipdeploy", data=function_app_zip(), timeout=30)
    assert unauthenticated.status_code == 401
    missing = arm.get(f"{site_url}/fa-missing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"


def test_delete_removes_the_app(arm: requests.Session, site_url: str, deployed: dict[str, Any]) -> None:
    assert arm.delete(f"{site_url}/{deployed['name']}").status_code == 200
    assert arm.get(f"{site_url}/{deployed['name']}").status_code == 404
    assert requests.get(f"https://{deployed['host']}/api/public", timeout=30).status_code == 404
    listed = arm.get(site_url).json()["value"]
    assert deployed["name"] not in {s["name"] for s in listed}


def test_the_lesson_client_deploys_and_calls(azure_env: dict[str, str], tmp_path: Any) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure_ai_services.serverless.azure_functions import FunctionApps

    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "function_app.py").write_text(
        "import azure.functions as func\napp = func.FunctionApp()\n\n"
        "@app.route(route='twice/{n:int}')\ndef twice(req: func.HttpRequest) -> func.HttpResponse:\n"
        "    return func.HttpResponse(str(2 * int(req.route_params['n'])))\n"
    )
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "junk.pyc").write_bytes(b"x")
    apps = FunctionApps(SUB, "rg-lesson")
    name = f"fa-{uuid.uuid4().hex[:8]}"
    apps.create(name, settings={"MODE": "test"})
    assert apps.deploy(name, folder)["status"] == 4
    assert [f["properties"]["name"] for f in apps.functions(name)] == ["twice"]
    assert apps.call(name, "twice/21").text == "42"
    assert apps.call(name, "twice/abc").status_code == 404  # the route's int constraint
    assert "Executed 'Functions.twice' (Succeeded" in apps.logs(name)
    apps.delete(name)
    assert name not in apps.names()
    with pytest.raises(HttpResponseError, match="ResourceNotFound"):
        apps.get(name)


def test_host_json_settings_are_honoured(
    arm: requests.Session, deployed: dict[str, Any], function_app_zip: Any
) -> None:
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.queue import QueueClient

    scm = deployed["site"]["properties"]["enabledHostNames"][1]
    host = {
        "version": "2.0",
        "functionTimeout": "00:00:01",
        "extensions": {
            "http": {"routePrefix": "v1"},
            "queues": {"messageEncoding": "none", "maxDequeueCount": 2},
        },
    }
    deployed_again = arm.post(
        f"https://{scm}/api/zipdeploy", data=function_app_zip({"host.json": json.dumps(host)})
    )
    assert deployed_again.status_code == 200, deployed_again.text
    base = f"https://{deployed['host']}"
    assert requests.get(f"{base}/v1/public", timeout=30).status_code == 202
    assert requests.get(f"{base}/api/public", timeout=30).status_code == 404
    started = time.monotonic()
    assert (
        requests.get(f"{base}/v1/slow", params={"seconds": "5"}, timeout=30).status_code == 500
    )  # timed out
    assert time.monotonic() - started < 4
    connection = os.environ["AZURE_STORAGE_CONNECTION_STRING"]
    orders = QueueClient.from_connection_string(connection, "orders")
    try:
        orders.create_queue()
    except ResourceExistsError:
        pass
    orders.send_message(json.dumps({"id": "plain", "fail": True}))  # plain text: messageEncoding none
    poison = QueueClient.from_connection_string(connection, "orders-poison")  # as the message came: plain

    def poisoned() -> Any:
        try:
            return [m for m in poison.receive_messages(max_messages=10) if "plain" in m.content]
        except Exception:  # noqa: BLE001 - the queue does not exist yet
            return None

    assert json.loads(wait_for(poisoned)[0].content)["id"] == "plain"
    bad = arm.post(
        f"https://{scm}/api/zipdeploy", data=function_app_zip({"host.json": '{"functionTimeout": "1h"}'})
    )
    assert bad.status_code == 400 and "functionTimeout" in bad.json()["error"]["message"]
