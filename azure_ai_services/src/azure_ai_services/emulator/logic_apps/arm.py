"""``Microsoft.Logic/workflows`` in ARM: workflows, trigger callback URLs and runs, runs' actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.logic_apps.workflows import MOUNT, PROVIDER, Workflow, Workflows

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

GROUP = "/subscriptions/{sub}/resourceGroups/{rg}"
WORKFLOW = GROUP + f"/providers/{PROVIDER}/workflows/{{name}}"
TRIGGER_API_VERSION = "2016-10-01"


def routes(workflows: Workflows) -> AzureRoutes:
    table = AzureRoutes()
    handlers = Handlers(workflows)
    table.add("PUT", WORKFLOW, handlers.put)
    table.add("GET", WORKFLOW, handlers.get)
    table.add("DELETE", WORKFLOW, handlers.delete)
    table.add("GET", GROUP + f"/providers/{PROVIDER}/workflows", handlers.list)
    table.add("POST", WORKFLOW + "/disable", handlers.disable)
    table.add("POST", WORKFLOW + "/enable", handlers.enable)
    table.add("POST", WORKFLOW + "/triggers/{trigger}/listCallbackUrl", handlers.callback_url)
    table.add("POST", WORKFLOW + "/triggers/{trigger}/run", handlers.run_trigger)
    table.add("GET", WORKFLOW + "/runs", handlers.list_runs)
    table.add("GET", WORKFLOW + "/runs/{run}", handlers.get_run)
    table.add("GET", WORKFLOW + "/runs/{run}/actions", handlers.list_actions)
    table.add("GET", WORKFLOW + "/runs/{run}/actions/{action}", handlers.get_action)
    return table


def callback(workflow: Workflow, trigger: str, host_url: str) -> dict[str, Any]:
    base = f"{host_url.rstrip('/')}{MOUNT}/workflows/{workflow.workflow_id}/triggers/{trigger}/paths/invoke"
    queries = {
        "api-version": TRIGGER_API_VERSION,
        "sp": f"/triggers/{trigger}/run",
        "sv": "1.0",
        "sig": workflow.signature(trigger),
    }
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in queries.items())
    return {"value": f"{base}?{query}", "method": "POST", "basePath": base, "queries": queries}


class Handlers:
    def __init__(self, workflows: Workflows) -> None:
        self.workflows = workflows

    def _workflow(self, bound: dict[str, str]) -> Workflow:
        return self.workflows.get(bound["sub"], bound["rg"], bound["name"])

    def put(self, request: Request, **bound: str) -> Response:
        workflow, created = self.workflows.put(bound["sub"], bound["rg"], bound["name"], json_body(request))
        return json_response(workflow.arm(), 201 if created else 200)

    def get(self, request: Request, **bound: str) -> dict[str, Any]:
        return self._workflow(bound).arm()

    def delete(self, request: Request, **bound: str) -> Response:
        try:
            workflow = self._workflow(bound)
        except AzureError:
            return json_response(None, 204)
        self.workflows.remove(workflow)
        return json_response(None, 200)

    def list(self, request: Request, **bound: str) -> dict[str, Any]:
        found = [
            w
            for w in self.workflows.all()
            if w.subscription.lower() == bound["sub"].lower() and w.group.lower() == bound["rg"].lower()
        ]
        return {"value": [w.arm() for w in found]}

    def disable(self, request: Request, **bound: str) -> Response:
        workflow = self._workflow(bound)
        workflow.state = "Disabled"
        self.workflows.stop_schedule(workflow)
        return json_response(None, 200)

    def enable(self, request: Request, **bound: str) -> Response:
        workflow = self._workflow(bound)
        if workflow.state != "Enabled":
            workflow.state = "Enabled"
            self.workflows.schedule(workflow)
        return json_response(None, 200)

    def _trigger(self, workflow: Workflow, name: str) -> dict[str, Any]:
        trigger_name, trigger = workflow.trigger
        if trigger_name.lower() != name.lower():
            raise AzureError(
                404,
                "WorkflowTriggerNotFound",
                f"The workflow '{workflow.name}' does not contain trigger '{name}'.",
            )
        return trigger

    def callback_url(self, request: Request, **bound: str) -> dict[str, Any]:
        workflow = self._workflow(bound)
        trigger = self._trigger(workflow, bound["trigger"])
        if trigger.get("type") != "Request":
            raise AzureError(
                400,
                "TriggerDoesNotHaveCallbackUrl",
                f"The trigger '{bound['trigger']}' of type '{trigger.get('type')}' has no callback URL.",
            )
        return callback(workflow, workflow.trigger[0], request.host_url)

    def run_trigger(self, request: Request, **bound: str) -> Response:
        workflow = self._workflow(bound)
        self._trigger(workflow, bound["trigger"])
        if workflow.state != "Enabled":
            raise AzureError(409, "WorkflowDisabled", f"The workflow '{workflow.name}' is disabled.")
        run = workflow.start({"headers": {}, "body": None})
        return json_response(None, 202, {"x-ms-workflow-run-id": run.name})

    def list_runs(self, request: Request, **bound: str) -> dict[str, Any]:
        workflow = self._workflow(bound)
        return {"value": [r.arm(workflow.id) for r in reversed(list(workflow.runs.values()))]}

    def _run(self, bound: dict[str, str]) -> tuple[Workflow, Any]:
        workflow = self._workflow(bound)
        run = workflow.runs.get(bound["run"])
        if run is None:
            raise AzureError(
                404,
                "WorkflowRunNotFound",
                f"The workflow '{workflow.name}' run '{bound['run']}' could not be found.",
            )
        return workflow, run

    def get_run(self, request: Request, **bound: str) -> dict[str, Any]:
        workflow, run = self._run(bound)
        return dict(run.arm(workflow.id))

    def list_actions(self, request: Request, **bound: str) -> dict[str, Any]:
        workflow, run = self._run(bound)
        run_id = f"{workflow.id}/runs/{run.name}"
        return {"value": [a.arm(run_id) for a in list(run.actions.values())]}

    def get_action(self, request: Request, **bound: str) -> dict[str, Any]:
        workflow, run = self._run(bound)
        action = run.actions.get(bound["action"])
        if action is None:
            raise AzureError(
                404,
                "WorkflowRunActionNotFound",
                f"The workflow run action '{bound['action']}' could not be found.",
            )
        return dict(action.arm(f"{workflow.id}/runs/{run.name}"))
