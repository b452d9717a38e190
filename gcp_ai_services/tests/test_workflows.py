"""Workflows v1 (WorkflowsClient) and Executions v1 (its REST API): deploy checks, the interpreter, errors."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
from google.api_core import exceptions as gx
from google.cloud import workflows_v1

from .conftest import status_of

PARENT = "projects/learner-project/locations/us-central1"

PIPELINE = """
main:
  params: [args]
  steps:
    - init:
        assign:
          - scores: {}
          - total: 0
          - names: ${args.names}
          - endpoint: ${sys.get_env("GOOGLE_CLOUD_WORKFLOW_ID")}
    - each_name:
        for:
          value: name
          index: i
          in: ${names}
          steps:
            - score:
                call: score_of
                args:
                  text: ${name}
                result: s
            - keep:
                assign:
                  - scores[name]: ${s}
                  - total: ${total + s}
    - count_up:
        for:
          value: n
          range: [1, 5]
          steps:
            - stop_at_three:
                switch:
                  - condition: ${n == 3}
                    next: break
            - add:
                assign:
                  - total: ${total + n}
    - risky:
        try:
          steps:
            - fail:
                raise:
                  code: 7
                  message: planned
        except:
          as: e
          steps:
            - note:
                assign:
                  - caught: ${e.message + " " + string(e.code)}
    - log:
        call: sys.log
        args:
          text: ${"total is " + string(total)}
          severity: INFO
    - decide:
        switch:
          - condition: ${total > 100}
            next: big
          - condition: ${len(names) >= 2 and not (total < 0)}
            assign:
              - size: small
            next: done
    - big:
        assign:
          - size: big
    - done:
        return:
          total: ${total}
          size: ${size}
          scores: ${scores}
          caught: ${caught}
          missing: ${default(map.get(args, "absent"), "none")}
          half: ${total / 2}
          whole: ${total // 2}
          workflow: ${endpoint}

score_of:
  params: [text]
  steps:
    - measure:
        return: ${len(text) * 10}
"""


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return workflows_v1.WorkflowsClient(**endpoint)


@pytest.fixture
def rest(clean_google: Any) -> Any:
    """Workflow Executions' REST API (its Python client has no REST transport) with an AuthorizedSession."""
    from google.auth.credentials import AnonymousCredentials
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(AnonymousCredentials())  # type: ignore[no-untyped-call]


def _v1() -> str:
    """Where Workflow Executions v1 answers: https://workflowexecutions.googleapis.com/v1/ in the cloud."""
    return os.environ["CLOUDAI_GCP_ENDPOINT"] + "/v1/"


def _deploy(client: Any, workflow_id: str, source: str) -> Any:
    workflow = {"source_contents": source}
    return client.create_workflow(parent=PARENT, workflow=workflow, workflow_id=workflow_id).result(
        timeout=30
    )


def _execute(rest: Any, workflow: str, argument: Any = None, *, wait: bool = True) -> dict[str, Any]:
    body = {"argument": json.dumps(argument)} if argument is not None else {}
    answer = rest.post(f"{_v1()}{workflow}/executions", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    execution: dict[str, Any] = answer.json()
    deadline = time.monotonic() + 30
    while wait and execution["state"] == "ACTIVE" and time.monotonic() < deadline:
        time.sleep(0.05)
        execution = rest.get(f"{_v1()}{execution['name']}", timeout=30).json()
    return execution


def test_an_execution_runs_steps_loops_subworkflows_and_returns_json(
    client: Any, rest: Any, emulator: Any
) -> None:
    workflow = _deploy(client, "pipeline", PIPELINE)
    assert workflow.state == workflows_v1.Workflow.State.ACTIVE and workflow.revision_id.startswith("000001-")
    assert [w.name for w in client.list_workflows(parent=PARENT)] == [workflow.name]
    execution = _execute(rest, workflow.name, {"names": ["ada", "grace"]})
    assert execution["state"] == "SUCCEEDED", execution
    assert json.loads(execution["result"]) == {
        "total": 83,
        "size": "small",
        "scores": {"ada": 30, "grace": 50},
        "caught": "planned 7",
        "missing": "none",
        "half": 41.5,
        "whole": 41,
        "workflow": "pipeline",
    }
    assert execution["workflowRevisionId"] == workflow.revision_id and execution["duration"].endswith("s")
    log = emulator.state.workflows.log_path(execution["name"]).read_text()
    assert "INFO total is 83" in log
    listed = rest.get(f"{_v1()}{workflow.name}/executions", timeout=30).json()["executions"]
    assert [e["name"] for e in listed] == [execution["name"]] and "result" not in listed[0]  # BASIC view
    full = rest.get(f"{_v1()}{workflow.name}/executions?view=FULL", timeout=30).json()["executions"]
    assert full[0]["result"] == execution["result"]
    client.delete_workflow(name=workflow.name).result(timeout=30)
    with pytest.raises(gx.NotFound) as gone:
        client.get_workflow(name=workflow.name)
    assert status_of(gone.value) == "NOT_FOUND"


def test_http_calls_reach_loopback_and_http_errors_can_be_caught(client: Any, rest: Any) -> None:
    base = os.environ["CLOUDAI_GCP_ENDPOINT"]
    source = f"""
main:
  steps:
    - fetch_self:
        call: http.get
        args:
          url: {base}/v1/{PARENT}/workflows/caller
        result: me
    - fetch_missing:
        try:
          call: http.request
          args:
            method: GET
            url: {base}/v1/{PARENT}/workflows/absent
          result: never
        except:
          as: e
          steps:
            - keep:
                assign:
                  - status: ${{e.code}}
                  - tags: ${{e.tags}}
                  - reason: ${{e.body.error.status}}
    - done:
        return: ${{[me.code, me.body.name, status, tags, reason]}}
"""
    workflow = _deploy(client, "caller", source)
    execution = _execute(rest, workflow.name)
    assert execution["state"] == "SUCCEEDED", execution
    assert json.loads(execution["result"]) == [200, workflow.name, 404, ["HttpError"], "NOT_FOUND"]
    outside = _deploy(
        client, "outside", "- go:\n    call: http.get\n    args:\n      url: https://example.com/\n"
    )
    failed = _execute(rest, outside.name)
    assert failed["state"] == "FAILED"
    payload = json.loads(failed["error"]["payload"])
    assert payload["tags"] == ["ConnectionFailedError"] and "example.com" in payload["message"]
    assert failed["error"]["stackTrace"]["elements"][0]["step"] == "go"


def test_what_the_local_cloud_does_not_run_fails_the_execution_saying_so(client: Any, rest: Any) -> None:
    connector = (
        "- list:\n    call: googleapis.run.v2.projects.locations.services.list\n    args: {parent: x}\n"
    )
    failed = _execute(rest, _deploy(client, "connector", connector).name)
    assert failed["state"] == "FAILED"
    assert "does not implement the connector 'googleapis.run.v2" in failed["error"]["payload"]
    uncaught = '- init:\n    assign:\n      - x: ${1 + "a"}\n'
    typed = _execute(rest, _deploy(client, "typed", uncaught).name)
    assert json.loads(typed["error"]["payload"])["tags"] == ["TypeError"]
    assert 'in step "init", routine "main", line: 1' in typed["error"]["context"]
    nested = "- outer:\n    steps:\n      - inner:\n          assign:\n            - x: ${missing}\n"
    keyed = _execute(rest, _deploy(client, "nested", nested).name)
    assert 'in step "inner", routine "main", line: 3' in keyed["error"]["context"]
    assert "key not found: missing" in json.loads(keyed["error"]["payload"])["message"]
    raised = _execute(rest, _deploy(client, "raiser", "- boom:\n    raise: out of stock\n").name)
    assert raised["state"] == "FAILED" and raised["error"]["payload"] == "out of stock"


def test_a_sleeping_execution_can_be_cancelled_once(client: Any, rest: Any) -> None:
    workflow = _deploy(client, "sleeper", "- nap:\n    call: sys.sleep\n    args:\n      seconds: 30\n")
    execution = _execute(rest, workflow.name, wait=False)
    assert execution["state"] == "ACTIVE"
    cancelled = rest.post(f"{_v1()}{execution['name']}:cancel", json={}, timeout=30)
    assert cancelled.json()["state"] == "CANCELLED"
    again = rest.post(f"{_v1()}{execution['name']}:cancel", json={}, timeout=30)
    assert again.status_code == 400 and again.json()["error"]["status"] == "FAILED_PRECONDITION"


def test_bad_definitions_and_requests_get_googles_codes(client: Any, rest: Any) -> None:
    with pytest.raises(gx.BadRequest) as unknown_key:
        _deploy(client, "typo", "- init:\n    assign:\n      - x: 1\n- second:\n    asign:\n      - y: 2\n")
    assert status_of(unknown_key.value) == "INVALID_ARGUMENT"
    assert "line 5, step 'second'" in unknown_key.value.message and "'asign'" in unknown_key.value.message
    with pytest.raises(gx.BadRequest) as jump:
        _deploy(client, "jump", "- a:\n    next: nowhere\n")
    assert "'nowhere'" in jump.value.message
    with pytest.raises(gx.BadRequest) as yaml:
        _deploy(client, "broken", "main:\n  steps: [\n")
    assert "not valid YAML" in yaml.value.message
    workflow = _deploy(client, "fine", "- done:\n    return: ${args}\n")
    with pytest.raises(gx.Conflict):
        _deploy(client, "fine", "- done:\n    return: 1\n")
    bad = rest.post(f"{_v1()}{workflow.name}/executions", json={"argument": "{not json"}, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"
    absent = rest.post(f"{_v1()}{PARENT}/workflows/absent/executions", json={}, timeout=30)
    assert absent.status_code == 404 and absent.json()["error"]["status"] == "NOT_FOUND"


def test_the_lesson_wrapper_deploys_executes_and_reads_the_result(clean_google: Any) -> None:
    from gcp_ai_services.serverless.workflow import Workflows
    from multi_cloud.core.errors import InvalidArgument, NotFound

    flows = Workflows()
    flows.deploy("double", "main:\n  params: [args]\n  steps:\n    - out:\n        return: ${args.x * 2}\n")
    done = flows.execute("double", {"x": 21})
    assert (done.state, done.result, done.error) == ("SUCCEEDED", 42, "")
    failed = flows.execute("double", {"y": 1})
    assert failed.state == "FAILED" and "KeyError" in failed.error
    with pytest.raises(InvalidArgument, match="unknown key"):
        flows.deploy("typo", "- a:\n    retrun: 1\n")
    with pytest.raises(NotFound):
        flows.execute("absent")
    flows.delete("double")
    assert flows.workflows() == []


RETRYING = """
main:
  steps:
    - init:
        assign:
          - attempts: 0
    - flaky:
        try:
          steps:
            - bump:
                assign:
                  - attempts: ${attempts + 1}
            - check:
                switch:
                  - condition: ${attempts < 3}
                    raise:
                      message: not yet
                      tags: [TransientError]
        retry:
          predicate: ${transient}
          max_retries: 5
          backoff:
            initial_delay: 0.01
            max_delay: 0.05
            multiplier: 2
    - done:
        return: ${attempts}

transient:
  params: [e]
  steps:
    - decide:
        return: ${"TransientError" in e.tags}
"""


def test_retry_reruns_the_try_block_and_update_makes_a_new_revision(client: Any, rest: Any) -> None:
    workflow = _deploy(client, "retrying", RETRYING)
    execution = _execute(rest, workflow.name)
    assert execution["state"] == "SUCCEEDED" and json.loads(execution["result"]) == 3
    changed = workflows_v1.Workflow(
        name=workflow.name, source_contents=RETRYING.replace("${attempts < 3}", "${attempts < 7}")
    )
    updated = client.update_workflow(workflow=changed).result(timeout=30)
    assert updated.revision_id.startswith("000002-") and updated.revision_id != workflow.revision_id
    exhausted = _execute(rest, updated.name)
    assert (
        exhausted["state"] == "FAILED" and json.loads(exhausted["error"]["payload"])["message"] == "not yet"
    )
    assert exhausted["workflowRevisionId"] == updated.revision_id


def test_an_endless_loop_stops_at_workflows_step_limit(client: Any, rest: Any) -> None:
    source = (
        "- init:\n    assign:\n      - n: 0\n"
        "- spin:\n    for:\n      value: i\n      range: [1, 1000000000]\n      steps:\n"
        "        - add:\n            assign:\n              - n: ${n + 1}\n"
    )
    started = time.monotonic()
    failed = _execute(rest, _deploy(client, "spinner", source).name)
    assert failed["state"] == "FAILED" and json.loads(failed["error"]["payload"])["tags"] == [
        "ResourceLimitError"
    ]
    assert time.monotonic() - started < 30
