"""Workflows for the lessons: deploy a workflow's YAML, execute it with a JSON argument, read its result.

:class:`Workflows` wraps ``workflows_v1.WorkflowsClient`` (REST) for the workflows and sends Workflow
Executions' documented REST calls (its Python client speaks gRPC only) through an ``AuthorizedSession``
(:func:`gcp_ai_services.session.rest_session`). In local mode the local cloud's interpreter runs the
execution (a subset of the syntax: see the package README); with ``CLOUDAI_MODE=cloud``, Google does.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client, rest_session

EXECUTIONS_HOST = "workflowexecutions.googleapis.com"
TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class ExecutionResult:
    name: str
    state: str
    #: the workflow's return value (decoded JSON), None unless SUCCEEDED
    result: Any
    #: the error's payload text, "" unless FAILED
    error: str
    duration: str


class Workflows:
    """Workflows of one project and region."""

    def __init__(self, settings: Settings | None = None, *, location: str = "us-central1") -> None:
        self.settings = settings or get_settings()
        self.parent = f"projects/{self.settings.gcp.project}/locations/{location}"

    @property
    def client(self) -> Any:
        """The official ``workflows_v1.WorkflowsClient``."""
        return google_client("workflows", self.settings)

    def deploy(self, workflow_id: str, source: str) -> str:
        """Create the workflow from its YAML or JSON ``source``; its full name."""
        with google_errors("workflows.deploy"):
            operation = self.client.create_workflow(
                parent=self.parent, workflow={"source_contents": source}, workflow_id=workflow_id
            )
            return str(operation.result(timeout=TIMEOUT_SECONDS).name)

    def workflows(self) -> list[str]:
        with google_errors("workflows.list"):
            return [w.name.rsplit("/", 1)[-1] for w in self.client.list_workflows(parent=self.parent)]

    def delete(self, workflow_id: str) -> None:
        with google_errors("workflows.delete"):
            self.client.delete_workflow(name=f"{self.parent}/workflows/{workflow_id}").result(
                timeout=TIMEOUT_SECONDS
            )

    def execute(
        self, workflow_id: str, argument: Any = None, *, timeout: float = TIMEOUT_SECONDS
    ) -> ExecutionResult:
        """Start an execution with ``argument`` (JSON-encoded for you) and wait until it ends."""
        body = {} if argument is None else {"argument": json.dumps(argument)}
        execution = self._rest("POST", f"{self.parent}/workflows/{workflow_id}/executions", body)
        deadline = time.monotonic() + timeout
        while execution["state"] in ("ACTIVE", "QUEUED"):
            if time.monotonic() > deadline:
                raise InvalidArgument(
                    f"execution {execution['name']} still {execution['state']} after {timeout:.0f} s",
                    provider="gcp",
                    operation="workflows.execute",
                )
            time.sleep(0.2)
            execution = self._rest("GET", execution["name"])
        return ExecutionResult(
            name=execution["name"],
            state=execution["state"],
            result=json.loads(execution["result"]) if execution.get("result") else None,
            error=str((execution.get("error") or {}).get("payload", "")),
            duration=str(execution.get("duration", "")),
        )

    def _rest(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        from google.api_core import exceptions

        session, base = rest_session(EXECUTIONS_HOST, self.settings)
        with google_errors("workflows.execute"):
            response = session.request(method, f"{base}/v1/{path}", json=body, timeout=60)
            if response.status_code >= 400:
                raise exceptions.from_http_response(response)  # type: ignore[no-untyped-call]
            answer: dict[str, Any] = response.json()
            return answer
