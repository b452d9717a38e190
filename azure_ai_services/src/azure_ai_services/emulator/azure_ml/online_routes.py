"""ARM operations of online endpoints and deployments, and each endpoint's scoring URI (data plane)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.operations import accepted_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.azure_ml.resources import Scope, arm_resource
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from azure_ai_services.emulator.azure_ml.online import Deployment, Endpoint, OnlineEndpoints

ENDPOINTS = "/onlineEndpoints"
SCORE_PATH = (
    "/inference/subscriptions/{sub}/resourceGroups/{rg}/workspaces/{ws}/onlineEndpoints/{endpoint}/score"
)
DEPLOYMENT_HEADER = "azureml-model-deployment"


def add_routes(table: AzureRoutes, ws: str, online: OnlineEndpoints) -> None:
    handlers = OnlineHandlers(online)
    base = ws + ENDPOINTS
    table.add("GET", base, handlers.list_endpoints)
    table.add("GET", base + "/{name}", handlers.get_endpoint)
    table.add("PUT", base + "/{name}", handlers.put_endpoint)
    table.add("DELETE", base + "/{name}", handlers.delete_endpoint)
    table.add("POST", base + "/{name}/listKeys", handlers.list_keys)
    table.add("POST", base + "/{name}/regenerateKeys", handlers.regenerate_keys)
    table.add("GET", base + "/{name}/deployments", handlers.list_deployments)
    table.add("GET", base + "/{name}/deployments/{deployment}", handlers.get_deployment)
    table.add("PUT", base + "/{name}/deployments/{deployment}", handlers.put_deployment)
    table.add("DELETE", base + "/{name}/deployments/{deployment}", handlers.delete_deployment)
    table.add("POST", base + "/{name}/deployments/{deployment}/getLogs", handlers.get_logs)


def scoring_routes(online: OnlineEndpoints) -> PathVersionedRoutes:
    table = PathVersionedRoutes()
    table.add("POST", SCORE_PATH, lambda request, **bound: score(online, request, **bound))
    return table


def _scope(bound: dict[str, str]) -> Scope:
    return Scope(bound.pop("sub"), bound.pop("rg"), bound.pop("ws"))


def scoring_uri(request: Request, endpoint: Endpoint) -> str:
    scope = endpoint.scope
    return request.host_url.rstrip("/") + SCORE_PATH.format(
        sub=scope.subscription, rg=scope.group, ws=scope.workspace, endpoint=endpoint.name
    )


def endpoint_json(request: Request, endpoint: Endpoint) -> dict[str, Any]:
    properties = {
        **endpoint.body.get("properties", {}),
        "scoringUri": scoring_uri(request, endpoint),
        "swaggerUri": scoring_uri(request, endpoint).removesuffix("/score") + "/swagger.json",
        "provisioningState": endpoint.state,
    }
    resource = arm_resource(endpoint.scope, "onlineEndpoints", endpoint.name, properties)
    resource["location"] = endpoint.body.get("location") or "local"
    resource["identity"] = endpoint.body.get("identity") or {"type": "SystemAssigned"}
    resource["kind"] = endpoint.body.get("kind") or "Managed"
    resource["systemData"] = system_data(endpoint.created, endpoint.modified)
    return resource


def deployment_json(scope: Scope, deployment: Deployment) -> dict[str, Any]:
    properties = {**deployment.body["properties"], "provisioningState": deployment.state}
    properties.setdefault("endpointComputeType", "Managed")
    resource = arm_resource(
        scope, "onlineEndpoints", f"{deployment.endpoint}/deployments/{deployment.name}", properties
    )
    resource["name"] = deployment.name
    resource["location"] = deployment.body.get("location") or "local"
    resource["kind"] = deployment.body.get("kind") or "Managed"
    resource["sku"] = deployment.body.get("sku") or {"name": "Default", "capacity": 1}
    resource["systemData"] = system_data(deployment.created, deployment.created)
    return resource


def system_data(created: str, modified: str) -> dict[str, str]:
    return {
        "createdBy": "local",
        "createdByType": "User",
        "createdAt": created,
        "lastModifiedBy": "local",
        "lastModifiedByType": "User",
        "lastModifiedAt": modified,
    }


class OnlineHandlers:
    def __init__(self, online: OnlineEndpoints) -> None:
        self.online = online

    def list_endpoints(self, request: Request, **bound: str) -> dict[str, Any]:
        return {"value": [endpoint_json(request, e) for e in self.online.list(_scope(bound))]}

    def get_endpoint(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        return endpoint_json(request, self.online.get(_scope(bound), name))

    def put_endpoint(self, request: Request, name: str, **bound: str) -> Any:
        endpoint, operation = self.online.put_endpoint(_scope(bound), name, json_body(request))
        return accepted_response(
            operation, request.host_url, status=201, body=endpoint_json(request, endpoint)
        )

    def delete_endpoint(self, request: Request, name: str, **bound: str) -> Any:
        operation = self.online.delete_endpoint(_scope(bound), name)
        return accepted_response(operation, request.host_url)

    def list_keys(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        endpoint = self.online.get(_scope(bound), name)
        if endpoint.auth_mode != "Key":
            raise AzureError(
                400, "BadArgument", f"Endpoint '{name}' uses {endpoint.auth_mode} authentication, not keys."
            )
        return {"primaryKey": endpoint.keys["primary"], "secondaryKey": endpoint.keys["secondary"]}

    def regenerate_keys(self, request: Request, name: str, **bound: str) -> Any:
        body = json_body(request)
        operation = self.online.regenerate_key(
            _scope(bound), name, str(body.get("keyType") or ""), str(body.get("keyValue") or "")
        )
        return accepted_response(operation, request.host_url)

    def list_deployments(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        endpoint = self.online.get(scope, name)
        return {"value": [deployment_json(scope, d) for d in list(endpoint.deployments.values())]}

    def get_deployment(self, request: Request, name: str, deployment: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        return deployment_json(scope, self.online.deployment(scope, name, deployment))

    def put_deployment(self, request: Request, name: str, deployment: str, **bound: str) -> Any:
        scope = _scope(bound)
        record, operation = self.online.put_deployment(scope, name, deployment, json_body(request))
        return accepted_response(operation, request.host_url, status=201, body=deployment_json(scope, record))

    def delete_deployment(self, request: Request, name: str, deployment: str, **bound: str) -> Any:
        operation = self.online.delete_deployment(_scope(bound), name, deployment)
        return accepted_response(operation, request.host_url)

    def get_logs(self, request: Request, name: str, deployment: str, **bound: str) -> dict[str, Any]:
        body = json_body(request)
        record = self.online.deployment(_scope(bound), name, deployment)
        container = str(body.get("containerType") or "InferenceServer")
        if container.lower() == "storageinitializer":
            return {
                "content": f"Model and code of deployment '{deployment}' downloaded from the workspace store."
            }
        return {"content": record.logs(int(body.get("tail") or 0))}


def score(online: OnlineEndpoints, request: Request, sub: str, rg: str, ws: str, endpoint: str) -> Any:
    """One request: the key checked, a deployment chosen by traffic (or the header), its worker scores."""
    from azure_ai_services.emulator.azure_ml.scoring_process import WorkerFailed

    target = online.get(Scope(sub, rg, ws), endpoint)
    online.check_key(target, request.headers.get("Authorization", ""))
    deployment = online.route(target, request.headers.get(DEPLOYMENT_HEADER, ""))
    body = request.get_data(as_text=True)
    try:
        answer = deployment.next_worker().score(body)
    except WorkerFailed as exc:
        raise AzureError(502, "BadGateway", f"Deployment '{deployment.name}' failed to score: {exc}") from exc
    if deployment.log is not None:
        deployment.log.add(body, answer.body, answer.status)
    headers = {DEPLOYMENT_HEADER: deployment.name}
    if answer.status != 200:
        return json_response({"error": {"code": "UserError", "message": answer.body}}, answer.status, headers)
    response = json_response(None, 200, headers)
    response.set_data(answer.body)
    return response
