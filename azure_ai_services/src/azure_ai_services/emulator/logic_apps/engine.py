"""Runs one workflow: actions in ``runAfter`` order, their statuses, inputs and outputs, the HTTP response.

Action types run here: ``Compose``, ``Http`` (loopback URLs only), ``If``, ``Foreach`` (sequential),
``Scope``, ``Response``, ``InitializeVariable``, ``SetVariable``, ``IncrementVariable``,
``AppendToArrayVariable``, ``Terminate``. Any other type (managed connectors: ``ApiConnection``,
``Function``, ...) fails its action with ``ActionTypeNotSupported`` naming it, and so the run.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from azure_ai_services.emulator.logic_apps.expressions import ExpressionError, resolve

SUPPORTED = (
    "Compose",
    "Http",
    "If",
    "Foreach",
    "Scope",
    "Response",
    "InitializeVariable",
    "SetVariable",
    "IncrementVariable",
    "AppendToArrayVariable",
    "Terminate",
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
STATUSES = ("Succeeded", "Failed", "Skipped", "TimedOut")
HTTP_TIMEOUT_SECONDS = 100


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def run_name() -> str:
    """A run name shaped like Logic Apps' (``08584...CU00``)."""
    return "08584" + "".join(secrets.choice("0123456789") for _ in range(21)) + "CU00"


class ActionFailed(Exception):
    def __init__(self, code: str, message: str, outputs: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.outputs = outputs


class Terminated(Exception):
    def __init__(self, status: str, error: dict[str, Any] | None) -> None:
        super().__init__(status)
        self.status = status
        self.error = error


@dataclass
class ActionRun:
    name: str
    type: str
    status: str = "Running"
    start_time: str = field(default_factory=now)
    end_time: str = ""
    inputs: Any = None
    outputs: Any = None
    code: str = ""
    error: dict[str, Any] | None = None
    repetitions: int = 0

    def arm(self, run_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "status": self.status,
            "code": self.code or self.status,
            "startTime": self.start_time,
            "endTime": self.end_time or None,
            "type": self.type,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }
        if self.error:
            properties["error"] = self.error
        if self.repetitions:
            properties["repetitionCount"] = self.repetitions
        return {
            "id": f"{run_id}/actions/{self.name}",
            "name": self.name,
            "type": "Microsoft.Logic/workflows/runs/actions",
            "properties": properties,
        }


@dataclass
class Run:
    name: str
    trigger_name: str
    trigger_outputs: dict[str, Any]
    parameters: dict[str, Any]
    workflow_name: str
    status: str = "Running"
    start_time: str = field(default_factory=now)
    end_time: str = ""
    actions: dict[str, ActionRun] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    loop_items: dict[str, Any] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    responded: threading.Event = field(default_factory=threading.Event)

    def arm(self, workflow_id: str) -> dict[str, Any]:
        run_id = f"{workflow_id}/runs/{self.name}"
        properties: dict[str, Any] = {
            "status": self.status,
            "startTime": self.start_time,
            "endTime": self.end_time or None,
            "trigger": {
                "name": self.trigger_name,
                "startTime": self.start_time,
                "status": "Succeeded",
                "outputs": self.trigger_outputs,
            },
            "correlation": {"clientTrackingId": self.name},
        }
        if self.error:
            properties["error"] = self.error
        return {
            "id": run_id,
            "name": self.name,
            "type": "Microsoft.Logic/workflows/runs",
            "properties": properties,
        }

    # -- the Scope protocol: the workflow functions of expressions
    def call(self, name: str, args: list[Any]) -> Any:
        if name == "triggerBody":
            return self.trigger_outputs.get("body")
        if name == "triggerOutputs":
            return self.trigger_outputs
        if name == "trigger":
            return {"name": self.trigger_name, "outputs": self.trigger_outputs}
        if name in ("body", "outputs", "actions"):
            action = self._action(args, name)
            if name == "actions":
                return {
                    "name": action.name,
                    "status": action.status,
                    "inputs": action.inputs,
                    "outputs": action.outputs,
                }
            if name == "body" and isinstance(action.outputs, dict) and action.type in ("Http", "Response"):
                return action.outputs.get("body")
            return action.outputs
        if name == "items":
            loop = str(args[0]) if args else ""
            if loop not in self.loop_items:
                raise ExpressionError(
                    f"The template language function 'items' must be called within the "
                    f"'Foreach' action '{loop}'."
                )
            return self.loop_items[loop]
        if name == "variables":
            if not args or args[0] not in self.variables:
                raise ExpressionError(
                    f"The variable '{args[0] if args else ''}' does not exist; initialize it "
                    "with an InitializeVariable action first."
                )
            return self.variables[args[0]]
        if name == "parameters":
            if not args or args[0] not in self.parameters:
                raise ExpressionError(f"The workflow parameter '{args[0] if args else ''}' is not found.")
            return self.parameters[args[0]]
        if name == "workflow":
            return {"name": self.workflow_name, "run": {"name": self.name}}
        raise ExpressionError(f"The template function '{name}' is not defined or not valid.")

    def _action(self, args: list[Any], function: str) -> ActionRun:
        name = str(args[0]) if args else ""
        if name not in self.actions:
            raise ExpressionError(
                f"The template language function '{function}' cannot reference action '{name}': "
                "it has not run"
                "(check the name and the runAfter order)."
            )
        return self.actions[name]


def execute(run: Run, definition: dict[str, Any]) -> None:
    """Run every action of ``definition``; set the run's status, end time and error."""
    try:
        failed = run_actions(run, definition.get("actions") or {})
        run.status = "Failed" if failed else "Succeeded"
        if failed:
            first = run.actions[failed[0]]
            run.error = {
                "code": "ActionFailed",
                "message": f"An action failed. No dependent actions succeeded. ({failed[0]}: "
                f"{(first.error or {}).get('message', first.code)})",
            }
    except Terminated as stop:
        run.status = stop.status
        run.error = stop.error
    run.end_time = now()
    run.done.set()
    run.responded.set()


def run_actions(run: Run, actions: dict[str, Any]) -> list[str]:
    """Run one scope's actions; the names of failed actions no later action handled."""
    pending = dict(actions)
    finished: dict[str, str] = {}
    handled: set[str] = set()
    while pending:
        ready = [n for n, a in pending.items() if all(dep in finished for dep in (a.get("runAfter") or {}))]
        if not ready:
            raise Terminated(
                "Failed",
                {
                    "code": "InvalidTemplate",
                    "message": f"actions {sorted(pending)} can never run: their runAfter "
                    "refers to each other or to missing actions",
                },
            )
        for name in sorted(ready, key=list(actions).index):
            action = pending.pop(name)
            after = action.get("runAfter") or {}
            allowed = all(finished[dep] in (after[dep] or ["Succeeded"]) for dep in after)
            handled.update(dep for dep in after if "Failed" in (after[dep] or []))
            if not allowed:
                run.actions[name] = ActionRun(
                    name,
                    str(action.get("type")),
                    status="Skipped",
                    end_time=now(),
                    code="ActionSkipped",
                    error={
                        "code": "ActionConditionFailed",
                        "message": f"The execution of template action '{name}' is "
                        f"skipped: the 'runAfter' condition was not met.",
                    },
                )
                finished[name] = "Skipped"
                continue
            finished[name] = run_action(run, name, action)
    return [n for n, status in finished.items() if status == "Failed" and n not in handled]


def run_action(run: Run, name: str, action: dict[str, Any]) -> str:
    kind = str(action.get("type", ""))
    record = ActionRun(name, kind)
    run.actions[name] = record
    try:
        record.outputs = _perform(run, name, kind, action, record)
        record.status = "Succeeded"
    except ActionFailed as failure:
        record.status, record.code = "Failed", failure.code
        record.error = {"code": failure.code, "message": failure.message}
        if failure.outputs is not None:
            record.outputs = failure.outputs
    except ExpressionError as exc:
        record.status, record.code = "Failed", "InvalidTemplate"
        record.error = {
            "code": "InvalidTemplate",
            "message": f"Unable to process template language expressions in action '{name}' inputs: {exc}",
        }
    record.code = record.code or "OK"
    record.end_time = now()
    return record.status


def _perform(run: Run, name: str, kind: str, action: dict[str, Any], record: ActionRun) -> Any:
    if kind not in SUPPORTED:
        raise ActionFailed(
            "ActionTypeNotSupported",
            f"the local Logic Apps engine does not run actions of type '{kind}' (managed connectors and "
            f"service actions need Azure); it runs {', '.join(SUPPORTED)}",
        )
    if kind == "Compose":
        record.inputs = resolve(action.get("inputs"), run)
        return record.inputs
    if kind == "Http":
        return _http(run, action, record)
    if kind == "If":
        condition = _condition(action.get("expression"), run)
        record.inputs = {"expressionResult": condition}
        branch = action.get("actions") if condition else (action.get("else") or {}).get("actions")
        failed = run_actions(run, branch or {})
        if failed:
            raise ActionFailed("ActionFailed", f"An action failed in the If branch: {', '.join(failed)}")
        return {"expression": condition}
    if kind in ("Foreach", "Scope"):
        return _scope(run, name, kind, action, record)
    if kind == "Response":
        inputs = resolve(action.get("inputs") or {}, run)
        record.inputs = inputs
        run.response = {
            "statusCode": int(inputs.get("statusCode", 200)),
            "headers": inputs.get("headers") or {},
            "body": inputs.get("body"),
        }
        run.responded.set()
        return {"statusCode": run.response["statusCode"], "body": run.response["body"]}
    if kind == "Terminate":
        inputs = resolve(action.get("inputs") or {}, run)
        record.inputs = inputs
        record.status = "Succeeded"
        record.end_time = now()
        raise Terminated(str(inputs.get("runStatus", "Failed")), inputs.get("runError"))
    return _variables(run, kind, action, record)


def _scope(run: Run, name: str, kind: str, action: dict[str, Any], record: ActionRun) -> Any:
    if kind == "Scope":
        failed = run_actions(run, action.get("actions") or {})
        if failed:
            raise ActionFailed("ActionFailed", f"An action failed in the scope: {', '.join(failed)}")
        return None
    items = resolve(action.get("foreach"), run)
    if not isinstance(items, list):
        raise ActionFailed(
            "InvalidTemplate",
            f"The 'foreach' of action '{name}' must evaluate to an array, not {type(items).__name__}.",
        )
    failures = []
    for item in items:
        run.loop_items[name] = item
        record.repetitions += 1
        failures += run_actions(run, action.get("actions") or {})
    run.loop_items.pop(name, None)
    if failures:
        raise ActionFailed("ActionFailed", f"{len(failures)} repetitions of '{name}' failed ({failures[0]})")
    return None


def _http(run: Run, action: dict[str, Any], record: ActionRun) -> Any:
    import requests

    inputs = resolve(action.get("inputs") or {}, run)
    record.inputs = inputs
    uri = str(inputs.get("uri", ""))
    if urlsplit(uri).hostname not in LOOPBACK:
        raise ActionFailed(
            "InvalidHttpRequest",
            f"the local Logic Apps engine calls only loopback URLs (http://127.0.0.1:PORT/...), not {uri!r}",
        )
    body = inputs.get("body")
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    headers = dict(inputs.get("headers") or {})
    if body is not None and not isinstance(body, (str, bytes)):
        headers.setdefault("Content-Type", "application/json")
    try:
        response = requests.request(
            str(inputs.get("method", "GET")),
            uri,
            params=inputs.get("queries"),
            headers=headers,
            data=data,
            timeout=HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise ActionFailed("BadRequest", f"Http request failed: {type(exc).__name__}: {exc}") from None
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    outputs = {"statusCode": response.status_code, "headers": dict(response.headers), "body": answer}
    if response.status_code >= 400:
        raise ActionFailed(
            response.reason.replace(" ", "") or str(response.status_code),
            f"Http request failed with status code {response.status_code}",
            outputs,
        )
    return outputs


def _variables(run: Run, kind: str, action: dict[str, Any], record: ActionRun) -> Any:
    inputs = resolve(action.get("inputs") or {}, run)
    record.inputs = inputs
    if kind == "InitializeVariable":
        for variable in inputs.get("variables") or []:
            run.variables[str(variable["name"])] = variable.get("value")
        return None
    name = str(inputs.get("name", ""))
    if name not in run.variables:
        raise ActionFailed("InvalidTemplate", f"The variable '{name}' does not exist; initialize it first.")
    if kind == "SetVariable":
        run.variables[name] = inputs.get("value")
    elif kind == "IncrementVariable":
        run.variables[name] = run.variables[name] + inputs.get("value", 1)
    else:
        run.variables[name] = [*run.variables[name], inputs.get("value")]
    return {"body": {"name": name, "value": run.variables[name]}}


def _condition(expression: Any, run: Run) -> bool:
    """An If's ``expression``: ``"@equals(...)"`` or ``{"and": [{"equals": [a, b]}, ...]}``."""
    if isinstance(expression, str):
        return bool(resolve(expression, run))
    if isinstance(expression, dict) and len(expression) == 1:
        ((operator, operands),) = expression.items()
        if operator in ("and", "or"):
            results = [_condition(item, run) for item in operands]
            return all(results) if operator == "and" else any(results)
        if operator == "not":
            return not _condition(operands, run)
        from azure_ai_services.emulator.logic_apps.expressions import FUNCTIONS

        if operator in FUNCTIONS:
            return bool(FUNCTIONS[operator](*resolve(operands, run)))
    raise ExpressionError(f"the If expression {expression!r} is not a valid condition")
