"""Workflows v1 and Workflow Executions v1 REST methods, as ``workflows_v1`` and the REST API send them.

``createWorkflow`` (``?workflowId=``), ``updateWorkflow`` (PATCH) and ``deleteWorkflow`` are long-running
operations (metadata ``google.cloud.workflows.v1.OperationMetadata``); the ``sourceContents`` is parsed and
checked before the operation starts (:mod:`.definition`: INVALID_ARGUMENT naming the line and step).
``POST {workflow}/executions`` starts an execution in a thread (:mod:`.interpreter`) and answers it ACTIVE;
``GET`` shows ``state``, ``result`` (JSON text), ``error`` (``payload``, ``context``, ``stackTrace``) and
``status.currentSteps``; ``POST {execution}:cancel`` ends it CANCELLED. ``sys.log`` lines go to the
execution's log file (``$CLOUDAI_STATE_DIR/gcp-workflows/...``).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import Operation, type_url
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.wire import invalid
from gcp_ai_services.emulator.workflows import definition as parsing
from gcp_ai_services.emulator.workflows.expressions import WorkflowError
from gcp_ai_services.emulator.workflows.interpreter import Cancelled, Interpreter
from gcp_ai_services.emulator.workflows.state import Deployed, WorkflowsState

WORKFLOW_TYPE = "google.cloud.workflows.v1.Workflow"
METADATA_TYPE = "google.cloud.workflows.v1.OperationMetadata"
MAX_SOURCE_BYTES = 128 * 1024  # Workflows' source size limit
MAX_ARGUMENT_BYTES = 512 * 1024
_WORKFLOW_ID = re.compile(r"^[A-Za-z](?:[-_A-Za-z0-9]{0,62}[A-Za-z0-9])?$")
NAME = "/v1/{name=projects/*/locations/*/workflows/*}"
PARENT = "/v1/{parent=projects/*/locations/*}/workflows"
EXECUTIONS = "/v1/{parent=projects/*/locations/*/workflows/*}/executions"
EXECUTION = "/v1/{name=projects/*/locations/*/workflows/*/executions/*}"


class WorkflowsAPI:
    def __init__(self, state: WorkflowsState) -> None:
        self.state = state

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", PARENT, self.create)
        routes.add("GET", PARENT, self.list_workflows)
        routes.add("GET", NAME, lambda request, name: self.state.workflow(name).workflow)
        routes.add("PATCH", "/v1/{workflow.name=projects/*/locations/*/workflows/*}", self.update)
        routes.add("DELETE", NAME, self.delete)
        routes.add("POST", EXECUTIONS, self.execute)
        routes.add("GET", EXECUTIONS, self.list_executions)
        routes.add("GET", EXECUTION, self.get_execution)
        routes.add("POST", EXECUTION + ":cancel", self.cancel)
        return routes

    # ------------------------------------------------------------------ workflows
    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        workflow_id = request.args.get("workflowId", "")
        if not _WORKFLOW_ID.match(workflow_id):
            raise invalid(
                f"Invalid workflow id {workflow_id!r}: use letters, digits, hyphens and underscores, start "
                "with a letter, at most 64 characters."
            )
        name = f"{parent}/workflows/{workflow_id}"
        with self.state.lock:
            if name in self.state.workflows:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
        parsed = _parsed(body)
        now = _now()
        workflow = {
            **{k: v for k, v in body.items() if k in _MUTABLE},
            "name": name,
            "state": "ACTIVE",
            "revisionId": _revision_id(1),
            "createTime": now,
            "updateTime": now,
            "revisionCreateTime": now,
        }
        with self.state.lock:
            if name in self.state.workflows:
                raise GoogleError("ALREADY_EXISTS", f"Resource '{name}' already exists")
            self.state.workflows[name] = Deployed(workflow, parsed)
        return self._done(parent, name, "create", {"@type": type_url(WORKFLOW_TYPE), **workflow})

    def list_workflows(self, request: Any, parent: str) -> dict[str, Any]:
        with self.state.lock:
            found = [
                d.workflow for n, d in sorted(self.state.workflows.items()) if n.startswith(parent + "/")
            ]
        return {"workflows": found} if found else {}

    def update(self, request: Any, **fields: str) -> dict[str, Any]:
        name = fields["workflow.name"]
        current = self.state.workflow(name)
        body = json_body(request)
        mask = [p.strip() for p in request.args.get("updateMask", "").split(",") if p.strip()]
        changed = {
            k: v for k, v in body.items() if k in _MUTABLE and (not mask or _snake(k) in mask or k in mask)
        }
        workflow = {**current.workflow, **changed, "updateTime": _now()}
        parsed = _parsed(workflow)
        if workflow.get("sourceContents") != current.workflow.get("sourceContents"):
            number = int(str(current.workflow["revisionId"]).split("-")[0]) + 1
            workflow.update(revisionId=_revision_id(number), revisionCreateTime=_now())
        with self.state.lock:
            self.state.workflows[name] = Deployed(workflow, parsed)
        parent = name.rsplit("/workflows/", 1)[0]
        return self._done(parent, name, "update", {"@type": type_url(WORKFLOW_TYPE), **workflow})

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        self.state.workflow(name)
        with self.state.lock:
            self.state.workflows.pop(name, None)
            running = [self.state.cancels[e] for e in self.state.cancels if e.startswith(name + "/")]
        for event in running:
            event.set()
        return self._done(name.rsplit("/workflows/", 1)[0], name, "delete", None)

    # ------------------------------------------------------------------ executions
    def execute(self, request: Any, parent: str) -> dict[str, Any]:
        deployed = self.state.workflow(parent)
        body = json_body(request)
        text = body.get("argument") or "null"
        if not isinstance(text, str) or len(text.encode()) > MAX_ARGUMENT_BYTES:
            raise invalid("execution.argument must be a JSON text of at most 512 KB.")
        try:
            argument = json.loads(text)
        except ValueError as exc:
            raise invalid(f"execution.argument is not valid JSON: {exc}. Pass json.dumps(your_map).") from exc
        name = f"{parent}/executions/{uuid.uuid4()}"
        execution: dict[str, Any] = {
            "name": name,
            "startTime": _now(),
            "state": "ACTIVE",
            "workflowRevisionId": deployed.workflow["revisionId"],
            "callLogLevel": body.get("callLogLevel") or "CALL_LOG_LEVEL_UNSPECIFIED",
            "status": {"currentSteps": []},
            "labels": body.get("labels") or {},
        }
        if body.get("argument"):
            execution["argument"] = text
        cancel = threading.Event()
        with self.state.lock:
            self.state.executions[name] = execution
            self.state.cancels[name] = cancel
        thread = threading.Thread(
            target=self._run,
            args=(name, deployed, argument, cancel),
            name=f"workflow-{name[-8:]}",
            daemon=True,
        )
        thread.start()
        return dict(execution)

    def list_executions(self, request: Any, parent: str) -> dict[str, Any]:
        self.state.workflow(parent)
        with self.state.lock:
            found = [dict(e) for n, e in self.state.executions.items() if n.startswith(parent + "/")]
        found.reverse()  # newest first, as Workflows lists them
        if request.args.get("view", "BASIC") != "FULL":  # BASIC: no argument, result, error or status
            found = [{k: v for k, v in e.items() if k in _BASIC} for e in found]
        return {"executions": found} if found else {}

    def get_execution(self, request: Any, name: str) -> dict[str, Any]:
        with self.state.lock:
            return dict(self.state.execution(name))

    def cancel(self, request: Any, name: str) -> dict[str, Any]:
        execution = self.state.execution(name)
        with self.state.lock:
            if execution["state"] != "ACTIVE":
                raise GoogleError(
                    "FAILED_PRECONDITION",
                    f"Execution '{name}' is {execution['state']}: only ACTIVE ones cancel.",
                )
            self._finish(name, "CANCELLED")
            event = self.state.cancels.get(name)
        if event is not None:
            event.set()
        with self.state.lock:
            return dict(execution)

    # ------------------------------------------------------------------ internals
    def _run(self, name: str, deployed: Deployed, argument: Any, cancel: threading.Event) -> None:
        project, location, workflow = name.split("/")[1], name.split("/")[3], name.split("/")[5]
        environment = {
            "GOOGLE_CLOUD_PROJECT_ID": project,
            "GOOGLE_CLOUD_LOCATION": location,
            "GOOGLE_CLOUD_WORKFLOW_ID": workflow,
            "GOOGLE_CLOUD_WORKFLOW_REVISION_ID": str(deployed.workflow["revisionId"]),
            "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID": name.rsplit("/", 1)[-1],
            **{str(k): str(v) for k, v in (deployed.workflow.get("userEnvVars") or {}).items()},
        }
        log_path = self.state.log_path(name)
        log_path.parent.mkdir(parents=True, exist_ok=True)

        def log(severity: str, text: str) -> None:
            with log_path.open("a", encoding="utf-8") as out:
                out.write(f"{_now()} {severity} {text}\n")

        execution = self.state.execution(name)
        interpreter = Interpreter(
            deployed.definition, environment, cancel, log, execution["status"]["currentSteps"]
        )
        started = time.monotonic()
        try:
            value = interpreter.run(argument)
        except Cancelled:
            self._finish(name, "CANCELLED", started=started)
        except WorkflowError as failed:
            self._finish(name, "FAILED", error=_error(failed, interpreter), started=started)
        except Exception as exc:  # noqa: BLE001 - an interpreter bug fails the execution, not the server
            self._finish(
                name,
                "FAILED",
                error={
                    "payload": json.dumps({"message": f"internal error: {exc!r}", "tags": ["InternalError"]}),
                    "context": "the local Workflows interpreter failed",
                },
                started=started,
            )
        else:
            self._finish(name, "SUCCEEDED", result=parsing.dumps(value), started=started)
        finally:
            with self.state.lock:
                self.state.cancels.pop(name, None)

    def _finish(self, name: str, state: str, *, started: float | None = None, **outcome: Any) -> None:
        with self.state.lock:
            execution = self.state.executions.get(name)
            if execution is None or execution["state"] != "ACTIVE":
                return  # cancelled or deleted meanwhile: the first ending wins
            execution["state"] = state
            execution["endTime"] = _now()
            if started is not None:
                execution["duration"] = f"{time.monotonic() - started:.3f}s"
            execution["status"] = {"currentSteps": list(execution["status"]["currentSteps"])}
            execution.update(outcome)

    def _done(self, parent: str, target: str, verb: str, response: dict[str, Any] | None) -> dict[str, Any]:
        """Deploying is the parse check above, so the operation is done when it is answered."""
        metadata = {
            "@type": type_url(METADATA_TYPE),
            "createTime": _now(),
            "endTime": _now(),
            "target": target,
            "verb": verb,
            "apiVersion": "v1",
        }
        operation: Operation = self.state.operations.create(parent, metadata)
        self.state.operations.succeed(operation.name, response)
        answer: dict[str, Any] = operation.to_json()
        return answer


_MUTABLE = frozenset(
    {
        "description",
        "labels",
        "serviceAccount",
        "sourceContents",
        "callLogLevel",
        "userEnvVars",
        "executionHistoryLevel",
        "cryptoKeyName",
        "tags",
    }
)


_BASIC = frozenset({"name", "startTime", "endTime", "duration", "state", "workflowRevisionId", "labels"})


def _parsed(body: dict[str, Any]) -> parsing.Definition:
    source = body.get("sourceContents")
    if not isinstance(source, str) or not source.strip():
        raise invalid("workflow.source_contents is required: the workflow's YAML or JSON.")
    if len(source.encode()) > MAX_SOURCE_BYTES:
        raise invalid(f"workflow.source_contents is over the {MAX_SOURCE_BYTES // 1024} KB limit.")
    return parsing.parse(source)


def _error(failed: WorkflowError, interpreter: Interpreter) -> dict[str, Any]:
    payload = failed.payload
    message = payload.get("message", "") if isinstance(payload, dict) else str(payload)
    where = interpreter.failure
    context = str(message)
    stack: dict[str, Any] = {}
    if where is not None:
        context += f'\nin step "{where.step}", routine "{where.routine}", line: {where.line}'
        stack = {
            "elements": [
                {
                    "step": where.step,
                    "routine": where.routine,
                    "position": {"line": str(where.line), "column": "1", "length": "0"},
                }
            ]
        }
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return {"payload": text, "context": context, "stackTrace": stack}


def _revision_id(number: int) -> str:
    return f"{number:06d}-{uuid.uuid4().hex[:3]}"


def _snake(field: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), field)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
