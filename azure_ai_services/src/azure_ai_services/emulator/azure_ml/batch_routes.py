"""ARM operations of batch endpoints and deployments, and each batch endpoint's invocation URI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import json_response
from multi_cloud.emulation.protocols.azure.operations import accepted_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.azure_ml.online_routes import system_data
from azure_ai_services.emulator.azure_ml.resources import Scope, arm_resource
from azure_ai_services.emulator.azure_ml.tracking import tracking_uri
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from azure_ai_services.emulator.azure_ml.batch import BatchEndpoint, BatchEndpoints

INVOKE_PATH = "/batch/subscriptions/{sub}/resourceGroups/{rg}/workspaces/{ws}/batchEndpoints/{endpoint}/jobs"


def _scope(bound: dict[str, str]) -> Scope:
    return Scope(bound.pop("sub"), bound.pop("rg"), bound.pop("ws"))


def add_routes(table: AzureRoutes, ws: str, batch: BatchEndpoints) -> None:
    base = ws + "/batchEndpoints"

    def list_endpoints(request: Request, **bound: str) -> dict[str, Any]:
        return {"value": [endpoint_json(request, e) for e in batch.list(_scope(bound))]}

    def get_endpoint(request: Request, name: str, **bound: str) -> dict[str, Any]:
        return endpoint_json(request, batch.get(_scope(bound), name))

    def put_endpoint(request: Request, name: str, **bound: str) -> Any:
        endpoint, operation = batch.put_endpoint(_scope(bound), name, json_body(request))
        return accepted_response(
            operation, request.host_url, status=201, body=endpoint_json(request, endpoint)
        )

    def delete_endpoint(request: Request, name: str, **bound: str) -> Any:
        return accepted_response(batch.delete_endpoint(_scope(bound), name), request.host_url)

    def list_deployments(request: Request, name: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        endpoint = batch.get(scope, name)
        return {"value": [deployment_json(scope, name, d) for d in list(endpoint.deployments.values())]}

    def get_deployment(request: Request, name: str, deployment: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        return deployment_json(scope, name, batch.deployment(scope, name, deployment))

    def put_deployment(request: Request, name: str, deployment: str, **bound: str) -> Any:
        scope = _scope(bound)
        record, operation = batch.put_deployment(scope, name, deployment, json_body(request))
        body = deployment_json(scope, name, record)
        return accepted_response(operation, request.host_url, status=201, body=body)

    def delete_deployment(request: Request, name: str, deployment: str, **bound: str) -> Any:
        return accepted_response(batch.delete_deployment(_scope(bound), name, deployment), request.host_url)

    table.add("GET", base, list_endpoints)
    table.add("GET", base + "/{name}", get_endpoint)
    table.add("PUT", base + "/{name}", put_endpoint)
    table.add("DELETE", base + "/{name}", delete_endpoint)
    table.add("GET", base + "/{name}/deployments", list_deployments)
    table.add("GET", base + "/{name}/deployments/{deployment}", get_deployment)
    table.add("PUT", base + "/{name}/deployments/{deployment}", put_deployment)
    table.add("DELETE", base + "/{name}/deployments/{deployment}", delete_deployment)


def invoke_routes(batch: BatchEndpoints) -> PathVersionedRoutes:
    table = PathVersionedRoutes()

    def invoke(request: Request, sub: str, rg: str, ws: str, endpoint: str) -> Any:
        scope = Scope(sub, rg, ws)
        pinned = request.headers.get("azureml-model-deployment", "")
        job = batch.invoke(scope, endpoint, pinned, json_body(request), tracking_uri(request.host_url, scope))
        return json_response(job, 200)

    table.add("POST", INVOKE_PATH, invoke)
    return table


def endpoint_json(request: Request, endpoint: BatchEndpoint) -> dict[str, Any]:
    scope = endpoint.scope
    uri = request.host_url.rstrip("/") + INVOKE_PATH.format(
        sub=scope.subscription, rg=scope.group, ws=scope.workspace, endpoint=endpoint.name
    )
    properties = {
        **endpoint.body.get("properties", {}),
        "scoringUri": uri,
        "provisioningState": endpoint.state,
    }
    resource = arm_resource(scope, "batchEndpoints", endpoint.name, properties)
    resource["location"] = endpoint.body.get("location") or "local"
    resource["systemData"] = system_data(endpoint.created, endpoint.created)
    return resource


def deployment_json(scope: Scope, endpoint: str, deployment: dict[str, Any]) -> dict[str, Any]:
    resource = arm_resource(scope, "batchEndpoints", f"{endpoint}/deployments/{deployment['name']}", {})
    resource["properties"] = deployment["properties"]
    resource["name"] = deployment["name"]
    resource["location"] = deployment.get("location") or "local"
    resource["systemData"] = system_data(deployment["created"], deployment["created"])
    return resource
