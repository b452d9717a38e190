"""Running a deployment: bind the template, deploy its resources in order, outputs, ``Complete`` clean-up."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.arm.dispatch import Dispatcher, record
from azure_ai_services.emulator.arm.expressions import TemplateError
from azure_ai_services.emulator.arm.state import ArmState
from azure_ai_services.emulator.arm.template import BoundTemplate, NotYetDeployed, Scope

#: resource types whose group listing the emulator answers (Complete mode and what-if find them there)
LISTED = {
    "Microsoft.Web/sites": "2023-01-01",
    "Microsoft.EventGrid/topics": "2022-06-15",
    "Microsoft.Logic/workflows": "2019-05-01",
}
DEFAULT_API_VERSION = "2023-01-01"


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def type_of(resource_id: str) -> str:
    parts = resource_id.split("/providers/", 1)[1].split("/")
    return "/".join([parts[0], *parts[1::2]])


def invalid_template(err: TemplateError) -> AzureError:
    return AzureError(400, "InvalidTemplate", f"Deployment template validation failed: '{err}'.")


class DeploymentRunner:
    """Binds templates for one group and deploys them through the :class:`Dispatcher`."""

    def __init__(self, state: ArmState, dispatcher: Dispatcher) -> None:
        self.state = state
        self.dispatcher = dispatcher

    def bind(
        self, scope: Scope, properties: dict[str, Any], host_url: str, *, planning: bool
    ) -> BoundTemplate:
        def reference(resource_id: str, full: bool) -> dict[str, Any]:
            rec = self.state.deployed.get(resource_id.lower()) or record(
                resource_id, type_of(resource_id), DEFAULT_API_VERSION
            )
            found = self.dispatcher.exists(host_url, rec)
            if found is None:
                if planning:
                    raise NotYetDeployed(f"The resource '{resource_id}' is not deployed yet.")
                raise TemplateError(f"The Resource '{type_of(resource_id)}' '{resource_id}' was not found.")
            return found if full else dict(found.get("properties") or {})

        try:
            return BoundTemplate(
                properties.get("template") or {}, properties.get("parameters") or {}, scope, reference
            )
        except TemplateError as err:
            raise invalid_template(err) from None

    def group_resources(self, scope: Scope, host_url: str) -> dict[str, dict[str, str]]:
        """Every resource of the group the emulator knows: deployed, recorded, and the listed types'."""
        prefix = scope.group_id.lower() + "/"
        found = {k: v for k, v in self.state.deployed.items() if k.startswith(prefix)}
        for key, resource in self.state.generic.items():
            if key.startswith(prefix):
                found.setdefault(key, record(resource["id"], resource["type"], DEFAULT_API_VERSION))
        for type_name, api_version in LISTED.items():
            status, answer, _ = self.dispatcher.call(
                host_url, "GET", f"{scope.group_id}/providers/{type_name}", api_version
            )
            for item in (answer or {}).get("value", []) if status == 200 else []:
                found.setdefault(str(item["id"]).lower(), record(str(item["id"]), type_name, api_version))
        return found

    def run(
        self,
        scope: Scope,
        properties: dict[str, Any],
        host_url: str,
        deployment: dict[str, Any],
        log: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        """Deploys; fills ``deployment['properties']`` ; raises AzureError on failure."""
        started = time.monotonic()
        bound = self.bind(scope, properties, host_url, planning=False)
        try:
            planned = bound.resources()
        except TemplateError as err:
            raise invalid_template(err) from None
        body = deployment["properties"]
        body["parameters"] = {
            name: {"type": (bound.template["parameters"][name].get("type") or "String")}
            | (
                {}
                if "secure" in str(bound.template["parameters"][name].get("type")).lower()
                else {"value": value}
            )
            for name, value in bound.parameters.items()
        }
        body["dependencies"] = [
            {"id": r.id(scope), "resourceType": r.type, "resourceName": r.name, "dependsOn": r.depends_on}
            for r in planned
            if r.depends_on
        ]
        for resource in planned:
            rec = record(resource.id(scope), resource.type, resource.api_version)
            operation: dict[str, Any] = {
                "id": f"{deployment['id']}/operations/{uuid.uuid4().hex[:16].upper()}",
                "operationId": uuid.uuid4().hex[:16].upper(),
                "properties": {
                    "provisioningOperation": "Create",
                    "timestamp": now(),
                    "targetResource": {
                        "id": rec["id"],
                        "resourceType": rec["type"],
                        "resourceName": resource.name,
                    },
                },
            }
            try:
                created = self.dispatcher.put(host_url, rec, bound.body(resource))
            except TemplateError as err:
                raise invalid_template(err) from None
            except AzureError as err:
                operation["properties"].update(
                    provisioningState="Failed", statusCode=err.status, statusMessage={"error": err.error()}
                )
                log(operation)
                raise AzureError(
                    400,
                    "DeploymentFailed",
                    "At least one resource deployment operation failed. Please list deployment operations "
                    "for "
                    "details.",
                    details=[err],
                ) from None
            operation["properties"].update(provisioningState="Succeeded", statusCode="OK")
            log(operation)
            self.state.deployed[rec["id"].lower()] = rec
            body["outputResources"].append({"id": created.get("id", rec["id"])})
        if body["mode"] == "Complete":
            keep = {r.id(scope).lower() for r in planned}
            for key, rec in self.group_resources(scope, host_url).items():
                if key not in keep:
                    self.dispatcher.delete(host_url, rec)
        try:
            body["outputs"] = bound.outputs()
        except TemplateError as err:
            raise invalid_template(err) from None
        body["duration"] = f"PT{time.monotonic() - started:.3f}S"
        body["templateHash"] = bound.template_hash()
        return deployment
