"""``Microsoft.Resources/deployments`` in a group: create (an LRO), get, list, delete, validate, what-if."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.operations import (
    AsyncOperation,
    AsyncOperationsService,
    accepted_response,
)
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.arm.expressions import TemplateError
from azure_ai_services.emulator.arm.runner import DeploymentRunner, invalid_template, now
from azure_ai_services.emulator.arm.state import ArmState
from azure_ai_services.emulator.arm.template import NotYetDeployed, Scope
from azure_ai_services.emulator.arm.what_if import what_if

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Request, Response

PROVIDER = "Microsoft.Resources"
DEPLOYMENTS = f"/subscriptions/{{sub}}/resourcegroups/{{rg}}/providers/{PROVIDER}/deployments"
DEPLOYMENT = DEPLOYMENTS + "/{name}"
MODES = ("Incremental", "Complete")
_NAME = re.compile(r"^[-\w._()]{1,64}$")
OPERATIONS = [
    ("Microsoft.Resources/deployments/write", "Create or update a deployment"),
    ("Microsoft.Resources/deployments/read", "Get or list deployments"),
    ("Microsoft.Resources/deployments/delete", "Delete a deployment"),
    ("Microsoft.Resources/deployments/validate/action", "Validate a deployment"),
    ("Microsoft.Resources/deployments/whatIf/action", "Predict the changes of a deployment"),
    ("Microsoft.Resources/deployments/operations/read", "Get the deployment operations"),
    ("Microsoft.Resources/subscriptions/resourceGroups/write", "Create or update a resource group"),
    ("Microsoft.Resources/subscriptions/resourceGroups/read", "Get or list resource groups"),
    ("Microsoft.Resources/subscriptions/resourceGroups/delete", "Delete a resource group and its resources"),
    ("Microsoft.CostManagement/query/action", "Query usage data by a scope"),
]


class DeploymentOperations(AsyncOperationsService):
    """The deployments' ``operationStatuses`` (claimed before Azure ML's, which would answer 404)."""

    def claims(self, incoming: Incoming) -> bool:
        return (
            super().claims(incoming)
            and f"/providers/{PROVIDER}/deployments/".lower() in incoming.path.lower()
        )


def routes(state: ArmState, runner: DeploymentRunner) -> AzureRoutes:
    table = AzureRoutes()
    handlers = DeploymentHandlers(state, runner)
    table.add("PUT", DEPLOYMENT, handlers.put)
    table.add("GET", DEPLOYMENT, handlers.get)
    table.add("HEAD", DEPLOYMENT, handlers.exists)
    table.add("DELETE", DEPLOYMENT, handlers.delete)
    table.add("GET", DEPLOYMENTS, handlers.list)
    table.add("POST", DEPLOYMENT + "/validate", handlers.validate)
    table.add("POST", DEPLOYMENT + "/whatIf", handlers.what_if)
    table.add("GET", DEPLOYMENT + "/operations", handlers.operations)
    table.add("GET", f"/providers/{PROVIDER}/operations", handlers.provider_operations)
    return table


class DeploymentHandlers:
    def __init__(self, state: ArmState, runner: DeploymentRunner) -> None:
        self.state = state
        self.runner = runner

    def _scope(self, bound: dict[str, str]) -> Scope:
        group = self.state.group(bound["sub"], bound["rg"])
        return Scope(group.subscription, group.name, group.location, bound.get("name", ""))

    def _properties(self, request: Request, name: str) -> dict[str, Any]:
        if not _NAME.match(name):
            raise AzureError(
                400,
                "InvalidDeploymentName",
                f"The deployment name '{name}' is invalid: use 1-64 letters, digits or '-_.()'.",
            )
        properties = json_body(request).get("properties")
        if not isinstance(properties, dict):
            raise AzureError(400, "InvalidRequestContent", "The request content needs 'properties'.")
        if "templateLink" in properties and "template" not in properties:
            raise AzureError(
                400,
                "InvalidRequestContent",
                "properties.templateLink is not supported by the local cloud (it downloads nothing): send "
                "the "
                "template inline in properties.template.",
            )
        if not isinstance(properties.get("template"), dict):
            raise AzureError(
                400, "InvalidRequestContent", "properties.template must be the template's JSON object."
            )
        mode = properties.get("mode", "Incremental")
        if mode not in MODES:
            raise AzureError(
                400,
                "InvalidRequestContent",
                f"properties.mode '{mode}' is not valid: use 'Incremental' or 'Complete'.",
            )
        properties["mode"] = mode
        return properties

    def _found(self, bound: dict[str, str]) -> dict[str, Any]:
        scope = self._scope(bound)
        found = self.state.deployments.get(
            f"{scope.group_id}/providers/{PROVIDER}/deployments/{bound['name']}".lower()
        )
        if found is None:
            raise AzureError(404, "DeploymentNotFound", f"Deployment '{bound['name']}' could not be found.")
        return found

    def put(self, request: Request, **bound: str) -> Response:
        scope = self._scope(bound)
        properties = self._properties(request, bound["name"])
        deployment_id = f"{scope.group_id}/providers/{PROVIDER}/deployments/{bound['name']}"
        with self.state.lock:
            previous = self.state.deployments.get(deployment_id.lower())
            if previous and previous["properties"]["provisioningState"] in ("Accepted", "Running"):
                raise AzureError(
                    409,
                    "DeploymentActive",
                    f"The deployment '{bound['name']}' is still active; wait for it to end.",
                )
            deployment: dict[str, Any] = {
                "id": deployment_id,
                "name": bound["name"],
                "type": f"{PROVIDER}/deployments",
                "properties": {
                    "templateHash": "",
                    "parameters": {},
                    "mode": properties["mode"],
                    "provisioningState": "Accepted",
                    "timestamp": now(),
                    "duration": "PT0S",
                    "correlationId": str(uuid.uuid4()),
                    "providers": [],
                    "dependencies": [],
                    "outputResources": [],
                },
                "operations": [],
            }
            self.state.deployments[deployment_id.lower()] = deployment
        host_url = request.host_url

        def work(operation: AsyncOperation) -> dict[str, Any]:
            deployment["properties"]["provisioningState"] = "Running"
            try:
                self.runner.run(scope, properties, host_url, deployment, deployment["operations"].append)
            except AzureError as err:
                deployment["properties"].update(
                    provisioningState="Failed", error=err.error(), timestamp=now()
                )
                raise
            deployment["properties"].update(provisioningState="Succeeded", timestamp=now())
            return public(deployment)

        operation = self.state.operations.start(deployment_id, work)
        return accepted_response(
            operation, request.host_url, status=201, body=public(deployment), query="api-version=2024-03-01"
        )

    def get(self, request: Request, **bound: str) -> dict[str, Any]:
        return public(self._found(bound))

    def exists(self, request: Request, **bound: str) -> Response:
        try:
            self._found(bound)
        except AzureError:
            return json_response(None, 404)
        return json_response(None, 204)

    def delete(self, request: Request, **bound: str) -> Response:
        try:
            found = self._found(bound)
        except AzureError as err:
            if err.code == "ResourceGroupNotFound":
                raise
            return json_response(None, 204)
        if found["properties"]["provisioningState"] in ("Accepted", "Running"):
            raise AzureError(409, "DeploymentActive", f"The deployment '{bound['name']}' is still active.")
        self.state.deployments.pop(found["id"].lower(), None)
        return json_response(None, 200)

    def list(self, request: Request, **bound: str) -> dict[str, Any]:
        prefix = self._scope(bound).group_id.lower() + "/"
        return {"value": [public(d) for k, d in self.state.deployments.items() if k.startswith(prefix)]}

    def validate(self, request: Request, **bound: str) -> dict[str, Any]:
        scope = self._scope(bound)
        properties = self._properties(request, bound["name"])
        bound_template = self.runner.bind(scope, properties, request.host_url, planning=True)
        try:
            planned = bound_template.resources()
            for resource in planned:
                try:
                    bound_template.body(resource)
                except NotYetDeployed:
                    pass  # reference() of a resource this deployment creates: known once deployed
        except TemplateError as err:
            raise invalid_template(err) from None
        return {
            "id": f"{scope.group_id}/providers/{PROVIDER}/deployments/{bound['name']}",
            "name": bound["name"],
            "type": f"{PROVIDER}/deployments",
            "properties": {
                "provisioningState": "Succeeded",
                "mode": properties["mode"],
                "timestamp": now(),
                "templateHash": bound_template.template_hash(),
                "parameters": {k: {"value": v} for k, v in bound_template.parameters.items()},
                "validatedResources": [{"id": r.id(scope)} for r in planned],
            },
        }

    def what_if(self, request: Request, **bound: str) -> dict[str, Any]:
        scope = self._scope(bound)
        properties = self._properties(request, bound["name"])
        return what_if(self.runner, scope, properties, request.host_url)

    def operations(self, request: Request, **bound: str) -> dict[str, Any]:
        return {"value": list(self._found(bound)["operations"])}

    def provider_operations(self, request: Request, **bound: str) -> dict[str, Any]:
        return {
            "value": [
                {
                    "name": name,
                    "display": {
                        "provider": "Microsoft Resources"
                        if name.startswith(PROVIDER)
                        else "Microsoft Cost Management",
                        "resource": name.split("/")[1],
                        "operation": description,
                        "description": description,
                    },
                }
                for name, description in OPERATIONS
            ]
        }


def public(deployment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in deployment.items() if k != "operations"}
