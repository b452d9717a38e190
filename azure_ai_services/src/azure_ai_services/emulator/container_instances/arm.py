"""``Microsoft.ContainerInstance/containerGroups`` in ARM (api-version 2023-05-01): CRUD, start/stop, logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.operations import accepted_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.container_instances.groups import PROVIDER, ContainerGroup
from azure_ai_services.emulator.container_instances.service import ContainerInstances

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

GROUP = "/subscriptions/{sub}/resourceGroups/{rg}"
CONTAINER_GROUP = GROUP + f"/providers/{PROVIDER}/containerGroups/{{name}}"


def routes(instances: ContainerInstances) -> AzureRoutes:
    table = AzureRoutes()
    handlers = GroupHandlers(instances)
    table.add("PUT", CONTAINER_GROUP, handlers.put)
    table.add("GET", CONTAINER_GROUP, handlers.get)
    table.add("DELETE", CONTAINER_GROUP, handlers.delete)
    table.add("GET", GROUP + f"/providers/{PROVIDER}/containerGroups", handlers.list_group)
    table.add(
        "GET", f"/subscriptions/{{sub}}/providers/{PROVIDER}/containerGroups", handlers.list_subscription
    )
    table.add("POST", CONTAINER_GROUP + "/restart", handlers.restart)
    table.add("POST", CONTAINER_GROUP + "/stop", handlers.stop)
    table.add("POST", CONTAINER_GROUP + "/start", handlers.start)
    table.add("GET", CONTAINER_GROUP + "/containers/{container}/logs", handlers.logs)
    return table


class GroupHandlers:
    def __init__(self, instances: ContainerInstances) -> None:
        self.instances = instances

    def _group(self, bound: dict[str, str]) -> ContainerGroup:
        return self.instances.groups.get(bound["sub"], bound["rg"], bound["name"])

    def put(self, request: Request, **bound: str) -> Response:
        body = json_body(request)
        group, created = self.instances.groups.put(bound["sub"], bound["rg"], bound["name"], body)
        operation = self.instances.provision(group)
        return accepted_response(
            operation, request.host_url, status=201 if created else 200, body=group.arm()
        )

    def get(self, request: Request, **bound: str) -> dict[str, Any]:
        return self._group(bound).arm()

    def delete(self, request: Request, **bound: str) -> Response:
        group = self.instances.groups.find(bound["sub"], bound["rg"], bound["name"])
        if group is None:
            return json_response(None, 204)
        body = group.arm()
        self.instances.groups.delete(group)
        return json_response({**body, "properties": {**body["properties"], "provisioningState": "Deleting"}})

    def list_group(self, request: Request, **bound: str) -> dict[str, Any]:
        return {
            "value": [
                g.arm()
                for g in self.instances.groups.all()
                if g.subscription.lower() == bound["sub"].lower() and g.group.lower() == bound["rg"].lower()
            ]
        }

    def list_subscription(self, request: Request, **bound: str) -> dict[str, Any]:
        groups = self.instances.groups.all()
        return {"value": [g.arm() for g in groups if g.subscription.lower() == bound["sub"].lower()]}

    def restart(self, request: Request, **bound: str) -> Response:
        self.instances.restart(self._group(bound))
        return json_response(None, 204)

    def stop(self, request: Request, **bound: str) -> Response:
        self.instances.stop(self._group(bound))
        return json_response(None, 204)

    def start(self, request: Request, **bound: str) -> Response:
        operation = self.instances.start(self._group(bound))
        return accepted_response(operation, request.host_url)

    def logs(self, request: Request, **bound: str) -> dict[str, Any]:
        container = self._group(bound).container(bound["container"])
        tail = request.args.get("tail")
        if tail is not None and not tail.lstrip("-").isdigit():
            raise AzureError(
                400, "InvalidRequestParameter", f"tail '{tail}' must be a whole number of lines."
            )
        return {"content": container.logs(int(tail) if tail is not None else None)}
