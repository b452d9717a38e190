"""Logic Apps over the wire: ARM workflows, the Request trigger's signed URL, runs, actions, expressions."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

SUB, GROUP = "00000000-0000-0000-0000-000000000000", "rg-logic"
API = {"api-version": "2019-05-01"}


def wait_for(check: Callable[[], Any], seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.1)
    raise AssertionError(f"nothing after {seconds} s")


@pytest.fixture
def scoring_service() -> Iterator[str]:
    """A loopback HTTP service: POST /score doubles ``x``; /broken answers 500."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            status, answer = (
                (200, {"score": body.get("x", 0) * 2}) if self.path == "/score" else (500, {"e": 1})
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def workflows(azure_env: dict[str, str]) -> Any:
    from azure_ai_services.serverless.logic_apps import LogicAppWorkflows

    return LogicAppWorkflows(SUB, GROUP)


def request_trigger(actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/"
        "workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
        "actions": actions,
    }


def test_request_workflow_with_http_if_foreach_and_response(workflows: Any, scoring_service: str) -> None:
    actions = {
        "Greeting": {
            "type": "Compose",
            "inputs": "@concat('Hello, ', triggerBody()?['name'], '!')",
            "runAfter": {},
        },
        "Score": {
            "type": "Http",
            "runAfter": {"Greeting": ["Succeeded"]},
            "inputs": {
                "method": "POST",
                "uri": f"{scoring_service}/score",
                "body": {"x": "@triggerBody()?['x']"},
            },
        },
        "Total": {
            "type": "InitializeVariable",
            "runAfter": {"Score": ["Succeeded"]},
            "inputs": {"variables": [{"name": "total", "type": "integer", "value": 0}]},
        },
        "Each": {
            "type": "Foreach",
            "foreach": "@triggerBody()?['items']",
            "runAfter": {"Total": ["Succeeded"]},
            "actions": {
                "Add": {"type": "IncrementVariable", "inputs": {"name": "total", "value": "@items('Each')"}}
            },
        },
        "Check": {
            "type": "If",
            "runAfter": {"Each": ["Succeeded"]},
            "expression": {"and": [{"greater": ["@body('Score')?['score']", 10]}]},
            "actions": {"High": {"type": "Compose", "inputs": "high"}},
            "else": {"actions": {"Low": {"type": "Compose", "inputs": "low"}}},
        },
        "Reply": {
            "type": "Response",
            "runAfter": {"Check": ["Succeeded"]},
            "inputs": {
                "statusCode": 200,
                "headers": {"x-model": "v1"},
                "body": {
                    "greeting": "@outputs('Greeting')",
                    "score": "@body('Score')['score']",
                    "total": "@variables('total')",
                    "band": "@{if(greater(body('Score')['score'], 10), 'high', 'low')}",
                },
            },
        },
    }
    name = f"wf-{uuid.uuid4().hex[:6]}"
    created = workflows.create(name, request_trigger(actions))
    assert created["properties"]["state"] == "Enabled" and created["type"] == "Microsoft.Logic/workflows"
    answer = workflows.trigger(name, {"name": "Ada", "x": 21, "items": [1, 2, 3]})
    assert answer.status_code == 200 and answer.headers["x-model"] == "v1"
    assert answer.json() == {"greeting": "Hello, Ada!", "score": 42, "total": 6, "band": "high"}
    run_name = answer.headers["x-ms-workflow-run-id"]
    run = wait_for(lambda: (r := workflows.run(name, run_name))["properties"]["status"] != "Running" and r)
    assert run["properties"]["status"] == "Succeeded"
    actions_run = workflows.actions(name, run_name)
    assert actions_run["High"]["status"] == "Succeeded" and "Low" not in actions_run
    assert actions_run["Each"]["repetitionCount"] == 3
    assert actions_run["Score"]["outputs"]["statusCode"] == 200
    assert [r["name"] for r in workflows.runs(name)] == [run_name]


def test_run_after_failed_and_unsupported_connectors(workflows: Any, scoring_service: str) -> None:
    actions = {
        "Call": {
            "type": "Http",
            "runAfter": {},
            "inputs": {"method": "POST", "uri": f"{scoring_service}/broken"},
        },
        "OnFailure": {
            "type": "Compose",
            "runAfter": {"Call": ["Failed"]},
            "inputs": "@actions('Call')['status']",
        },
        "OnSuccess": {"type": "Compose", "runAfter": {"Call": ["Succeeded"]}, "inputs": "never"},
    }
    name = f"wf-{uuid.uuid4().hex[:6]}"
    workflows.create(name, request_trigger(actions))
    accepted = workflows.trigger(name, {})
    assert accepted.status_code == 202  # no Response action: Logic Apps answers at once
    run_name = accepted.headers["x-ms-workflow-run-id"]
    run = wait_for(lambda: (r := workflows.run(name, run_name))["properties"]["status"] != "Running" and r)
    steps = workflows.actions(name, run_name)
    assert steps["Call"]["status"] == "Failed" and steps["Call"]["outputs"]["statusCode"] == 500
    assert steps["OnFailure"]["outputs"] == "Failed" and steps["OnSuccess"]["status"] == "Skipped"
    assert run["properties"]["status"] == "Succeeded"  # the failure was handled

    connector = {
        "Send_email": {
            "type": "ApiConnection",
            "runAfter": {},
            "inputs": {"host": {"connection": {"name": "office365"}}},
        },
        "Reply": {
            "type": "Response",
            "runAfter": {"Send_email": ["Succeeded"]},
            "inputs": {"statusCode": 200},
        },
    }
    name2 = f"wf-{uuid.uuid4().hex[:6]}"
    workflows.create(name2, request_trigger(connector))
    answer = workflows.trigger(name2, {})
    assert answer.status_code == 502 and answer.json()["error"]["code"] == "NoResponse"
    run2 = wait_for(lambda: (r := workflows.runs(name2)[0])["properties"]["status"] != "Running" and r)
    assert (
        run2["properties"]["status"] == "Failed" and "ApiConnection" in run2["properties"]["error"]["message"]
    )
    steps2 = workflows.actions(name2, run2["name"])
    assert steps2["Send_email"]["error"]["code"] == "ActionTypeNotSupported"
    assert steps2["Reply"]["status"] == "Skipped"


def test_recurrence_runs_on_schedule_until_disabled(workflows: Any, azure_env: dict[str, str]) -> None:
    definition = {
        "triggers": {
            "every_second": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}
        },
        "actions": {"Stamp": {"type": "Compose", "inputs": "@utcNow()", "runAfter": {}}},
    }
    name = f"wf-{uuid.uuid4().hex[:6]}"
    workflows.create(name, definition)
    runs = wait_for(lambda: len(r := workflows.runs(name)) >= 2 and r, seconds=10)
    assert all(r["properties"]["trigger"]["name"] == "every_second" for r in runs)
    workflow_url = f"{workflows.base}/{name}"
    assert workflows.arm.post(f"{workflow_url}/disable", params=API).status_code == 200
    time.sleep(1.2)
    settled = len(workflows.runs(name))
    time.sleep(1.5)
    assert len(workflows.runs(name)) == settled
    with pytest.raises(Exception, match="TriggerDoesNotHaveCallbackUrl"):
        workflows.callback_url(name, "every_second")


def test_errors_in_logic_apps_shape(workflows: Any, azure_env: dict[str, str]) -> None:
    from azure.core.exceptions import HttpResponseError

    bad = request_trigger({"A": {"type": "Compose", "inputs": 1, "runAfter": {"Missing": ["Succeeded"]}}})
    with pytest.raises(HttpResponseError, match="non-existent action: 'Missing'"):
        workflows.create(f"wf-{uuid.uuid4().hex[:6]}", bad)
    with pytest.raises(HttpResponseError, match="InvalidTemplate"):
        workflows.create(f"wf-{uuid.uuid4().hex[:6]}", {"triggers": {"t": {"type": "Poll"}}, "actions": {}})
    broken = request_trigger(
        {
            "Bad": {"type": "Compose", "runAfter": {}, "inputs": "@triggerBody()['missing']"},
            "Reply": {
                "type": "Response",
                "runAfter": {"Bad": ["Failed"]},
                "inputs": {"statusCode": 400, "body": "@actions('Bad')['status']"},
            },
        }
    )
    name = f"wf-{uuid.uuid4().hex[:6]}"
    workflows.create(name, broken)
    url = workflows.callback_url(name)
    answer = requests.post(url, json={}, timeout=30)
    assert answer.status_code == 400 and answer.text == "Failed"
    steps = workflows.actions(name, answer.headers["x-ms-workflow-run-id"])
    assert steps["Bad"]["error"]["code"] == "InvalidTemplate" and "?[]" in steps["Bad"]["error"]["message"]
    unsigned = requests.post(url.split("&sig=")[0], json={}, timeout=30)
    assert (
        unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "DirectApiAuthorizationRequired"
    )
    forged = requests.post(url.split("&sig=")[0] + "&sig=forged", json={}, timeout=30)
    assert forged.json()["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    assert requests.get(url, timeout=30).json()["error"]["code"] == "TriggerRequestMethodNotValid"
    workflows.delete(name)
    assert name not in workflows.names()
    with pytest.raises(HttpResponseError, match="ResourceNotFound"):
        workflows.runs(name)
