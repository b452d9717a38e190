"""The Request trigger's callback URL (``/logicapps/workflows/{id}/triggers/{name}/paths/invoke``).

The shared-access signature (``sig``, from ``listCallbackUrl``) is checked as Logic Apps checks it; the
run starts and the caller gets its ``Response`` action's answer (waiting up to 120 s, as Logic Apps does),
or 202 Accepted at once when the workflow has no Response action.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, error_response, json_response

from azure_ai_services.emulator.logic_apps.workflows import Workflows

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response

RESPONSE_TIMEOUT_SECONDS = 120


def _has_response(actions: dict[str, Any]) -> bool:
    for action in actions.values():
        if action.get("type") == "Response":
            return True
        nested = [action.get("actions") or {}, (action.get("else") or {}).get("actions") or {}]
        if any(_has_response(n) for n in nested):
            return True
    return False


class TriggerEndpoint:
    """An ``EmulatorApp`` service for the ``/logicapps`` mount."""

    def __init__(self, workflows: Workflows) -> None:
        self.workflows = workflows

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        try:
            return self._handle(incoming)
        except AzureError as err:
            return error_response(err)

    def _handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        request = incoming.request
        parts = incoming.path.strip("/").split("/")
        if (
            len(parts) < 6
            or parts[0] != "workflows"
            or parts[2] != "triggers"
            or parts[4:6] != ["paths", "invoke"]
        ):
            raise AzureError(404, "NotFound", f"No Logic Apps endpoint at {incoming.path}.")
        workflow = self.workflows.by_workflow_id(parts[1])
        if workflow is None:
            raise AzureError(404, "WorkflowNotFound", f"The workflow '{parts[1]}' could not be found.")
        name, trigger = workflow.trigger
        if name.lower() != parts[3].lower() or trigger.get("type") != "Request":
            raise AzureError(
                404,
                "WorkflowTriggerNotFound",
                f"The workflow does not contain a Request trigger '{parts[3]}'.",
            )
        sig = request.args.get("sig", "")
        if not sig:
            raise AzureError(
                401,
                "DirectApiAuthorizationRequired",
                "The request must be authenticated only by Shared Access scheme.",
            )
        if not hmac.compare_digest(sig, workflow.signature(name)):
            raise AzureError(
                401,
                "DirectApiInvalidAuthorizationSignature",
                "The provided authorization token is not valid. The request should have a valid "
                "authorization header with 'Bearer' scheme or a valid signature (sig).",
            )
        if workflow.state != "Enabled":
            raise AzureError(409, "WorkflowDisabled", f"The workflow '{workflow.name}' is disabled.")
        method = str((trigger.get("inputs") or {}).get("method") or "").upper()
        if method and request.method != method:
            raise AzureError(
                400,
                "TriggerRequestMethodNotValid",
                f"The HTTP method for this request is not valid: expected '{method}' and actual "
                f"'{request.method}'.",
            )
        data = request.get_data()
        body: Any
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = data.decode("utf-8", "replace")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("authorization",)}
        queries = {k: v for k, v in request.args.items() if k not in ("sig", "sp", "sv", "api-version")}
        run = workflow.start({"headers": headers, "body": body, "queries": queries})
        run_header = {"x-ms-workflow-run-id": run.name}
        if not _has_response(workflow.definition.get("actions") or {}):
            return Response(status=202, headers=run_header)
        run.responded.wait(RESPONSE_TIMEOUT_SECONDS)
        if run.response is None:
            return json_response(
                {
                    "error": {
                        "code": "NoResponse",
                        "message": f"The run '{run.name}' ended ({run.status}) without "
                        "running its Response action.",
                    }
                },
                502,
                run_header,
            )
        answer = run.response["body"]
        headers = {**{str(k): str(v) for k, v in run.response["headers"].items()}, **run_header}
        if isinstance(answer, (dict, list, int, float, bool)):
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            answer = json.dumps(answer)
        return Response(
            answer if answer is not None else b"", status=run.response["statusCode"], headers=headers
        )
