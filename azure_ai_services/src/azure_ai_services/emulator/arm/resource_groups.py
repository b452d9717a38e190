"""``Microsoft.Resources/resourceGroups``: create or update, get, exists (HEAD), list, delete."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.arm.runner import DeploymentRunner
from azure_ai_services.emulator.arm.state import ArmState, ResourceGroup
from azure_ai_services.emulator.arm.template import Scope

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

GROUPS = "/subscriptions/{sub}/resourcegroups"
GROUP = GROUPS + "/{rg}"
_NAME = re.compile(r"^[-\w._()]{1,90}$")


def routes(state: ArmState, runner: DeploymentRunner) -> AzureRoutes:
    table = AzureRoutes()
    handlers = GroupHandlers(state, runner)
    table.add("PUT", GROUP, handlers.put)
    table.add("PATCH", GROUP, handlers.patch)
    table.add("GET", GROUP, handlers.get)
    table.add("HEAD", GROUP, handlers.exists)
    table.add("DELETE", GROUP, handlers.delete)
    table.add("GET", GROUPS, handlers.list)
    return table


class GroupHandlers:
    def __init__(self, state: ArmState, runner: DeploymentRunner) -> None:
        self.state = state
        self.runner = runner

    def put(self, request: Request, **bound: str) -> Response:
        name = bound["rg"]
        if not _NAME.match(name) or name.endswith("."):
            raise AzureError(
                400,
                "InvalidResourceGroup",
                f"The provided resource group name '{name}' has these invalid characters or length: use 1-90 "
                "letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.",
            )
        body = json_body(request)
        location = str(body.get("location") or "")
        if not location:
            raise AzureError(
                400, "LocationRequired", "The location property is required for this definition."
            )
        with self.state.lock:
            key = (bound["sub"].lower(), name.lower())
            existing = self.state.groups.get(key)
            if existing is not None and existing.location.lower() != location.lower():
                raise AzureError(
                    409,
                    "InvalidResourceGroupLocation",
                    f"Invalid resource group location '{location}'. The Resource group already exists in "
                    f"location '{existing.location}'.",
                )
            group = existing or ResourceGroup(bound["sub"], name, location)
            group.tags = dict(body.get("tags") or {})
            self.state.groups[key] = group
        return json_response(group.arm(), 200 if existing else 201)

    def patch(self, request: Request, **bound: str) -> dict[str, Any]:
        group = self.state.group(bound["sub"], bound["rg"])
        tags = json_body(request).get("tags")
        if tags is not None:
            group.tags = dict(tags)
        return group.arm()

    def get(self, request: Request, **bound: str) -> dict[str, Any]:
        return self.state.group(bound["sub"], bound["rg"]).arm()

    def exists(self, request: Request, **bound: str) -> Response:
        found = (bound["sub"].lower(), bound["rg"].lower()) in self.state.groups
        return json_response(None, 204 if found else 404)

    def delete(self, request: Request, **bound: str) -> Response:
        """Deletes the group's resources (through their own DELETE handlers), then the group."""
        group = self.state.group(bound["sub"], bound["rg"])
        scope = Scope(group.subscription, group.name, group.location, "")
        for record in self.runner.group_resources(scope, request.host_url).values():
            self.runner.dispatcher.delete(request.host_url, record)
        with self.state.lock:
            prefix = group.id.lower() + "/"
            for table in (self.state.deployments, self.state.generic, self.state.deployed):
                for key in [k for k in table if k.startswith(prefix)]:
                    del table[key]
            self.state.groups.pop((bound["sub"].lower(), bound["rg"].lower()), None)
        return json_response(None, 200)

    def list(self, request: Request, **bound: str) -> dict[str, Any]:
        groups = [g for (sub, _), g in sorted(self.state.groups.items()) if sub == bound["sub"].lower()]
        return {"value": [g.arm() for g in groups]}
