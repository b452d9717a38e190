"""Azure ML's ARM operations (``Microsoft.MachineLearningServices``), routed to the workspace state."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.azure_ml import catalog
from azure_ai_services.emulator.azure_ml.batch_routes import add_routes as add_batch_routes
from azure_ai_services.emulator.azure_ml.model_assets import complete_model
from azure_ai_services.emulator.azure_ml.online_routes import add_routes as add_online_routes
from azure_ai_services.emulator.azure_ml.resources import PROVIDER, Scope, arm_resource
from azure_ai_services.emulator.azure_ml.tracking import tracking_uri

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

WS = "/subscriptions/{sub}/resourceGroups/{rg}/providers/" + PROVIDER + "/workspaces/{ws}"
DEFAULT_DATASTORE = "workspaceblobstore"
ASSET_KINDS = ("codes", "environments", "data", "models", "components")
#: both name the workspace's container in Azurite (runs' logs and ``./outputs`` go to the artifact store)
DATASTORES = (DEFAULT_DATASTORE, "workspaceartifactstore")


def routes(ml: AzureML) -> AzureRoutes:
    table = AzureRoutes()
    handlers = Handlers(ml)
    table.add("GET", WS, handlers.get_workspace)
    table.add("GET", WS + "/datastores", handlers.list_datastores)
    table.add("GET", WS + "/datastores/{name}", handlers.get_datastore)
    table.add("POST", WS + "/datastores/{name}/listSecrets", handlers.list_secrets)
    for kind in ASSET_KINDS:
        table.add("GET", WS + f"/{kind}", handlers.containers(kind))
        table.add("GET", WS + f"/{kind}/{{name}}", handlers.container(kind))
        table.add("GET", WS + f"/{kind}/{{name}}/versions", handlers.versions(kind))
        table.add("GET", WS + f"/{kind}/{{name}}/versions/{{version}}", handlers.get_version(kind))
        table.add("PUT", WS + f"/{kind}/{{name}}/versions/{{version}}", handlers.put_version(kind))
        table.add(
            "POST",
            WS + f"/{kind}/{{name}}/versions/{{version}}/startPendingUpload",
            handlers.pending_upload(kind),
        )
    table.add("GET", WS + "/computes", handlers.list_computes)
    table.add("GET", WS + "/computes/{name}", handlers.get_compute)
    table.add("PUT", WS + "/computes/{name}", handlers.put_compute)
    table.add("GET", WS + "/jobs", handlers.list_jobs)
    table.add("GET", WS + "/jobs/{name}", handlers.get_job)
    table.add("PUT", WS + "/jobs/{name}", handlers.put_job)
    table.add("POST", WS + "/jobs/{name}/cancel", handlers.cancel_job)
    add_online_routes(table, WS, ml.online)
    add_batch_routes(table, WS, ml.batch)
    return table


def _scope(bound: dict[str, str]) -> Scope:
    return Scope(bound.pop("sub"), bound.pop("rg"), bound.pop("ws"))


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"value": items}


def _in_view(items: list[dict[str, Any]], view: str) -> list[dict[str, Any]]:
    """``listViewType``: ActiveOnly (default) hides archived assets, ArchivedOnly shows only them."""
    if view.lower() == "all":
        return items
    archived = view.lower() == "archivedonly"
    return [item for item in items if bool(item["properties"].get("isArchived")) == archived]


class Handlers:
    """One method per operation; ``AzureML`` holds the state and runs the jobs."""

    def __init__(self, ml: AzureML) -> None:
        self.ml = ml

    def get_workspace(self, request: Request, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        base = request.host_url.rstrip("/")
        return {
            "id": scope.id,
            "name": scope.workspace,
            "type": f"{PROVIDER}/workspaces",
            "location": "local",
            "kind": "Default",
            "properties": {
                "friendlyName": scope.workspace,
                "workspaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, scope.id.lower())),
                "discoveryUrl": f"{base}/discovery",
                "mlFlowTrackingUri": tracking_uri(base, scope),
                "storageAccount": f"/subscriptions/{scope.subscription}/resourceGroups/{scope.group}"
                f"/providers/Microsoft.Storage/storageAccounts/{self.ml.blobs.account}",
                "provisioningState": "Succeeded",
            },
        }

    def _datastore(self, scope: Scope, name: str = DEFAULT_DATASTORE) -> dict[str, Any]:
        properties = {
            "datastoreType": "AzureBlob",
            "accountName": self.ml.blobs.sdk_account_name(),
            "containerName": self.ml.blobs.container(self.ml.container_name(scope)).container_name,
            "endpoint": "local",
            "protocol": "https",
            "isDefault": name == DEFAULT_DATASTORE,
            "credentials": {"credentialsType": "AccountKey"},
            "description": "Azurite, the local cloud's Blob storage",
        }
        return arm_resource(scope, "datastores", name, properties)

    def list_datastores(self, request: Request, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        return _page([self._datastore(scope, name) for name in DATASTORES])

    def get_datastore(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        if name not in DATASTORES:
            raise AzureError(
                404, "UserError", f"DataStore '{name}' was not found in workspace {scope.workspace}."
            )
        return self._datastore(scope, name)

    def list_secrets(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        self.get_datastore(request, name, **bound)
        return {"secretsType": "AccountKey", "key": self.ml.blobs.key}

    def versions(self, kind: str) -> Any:
        def handler(request: Request, name: str, **bound: str) -> dict[str, Any]:
            scope = _scope(bound)
            found = self.ml.resources.list(scope, kind, name)
            if not found and kind == "environments":
                found = [self.ml.curated_environment(scope, name, "1")]
            return _page(_in_view(found, request.args.get("listViewType", "ActiveOnly")))

        return handler

    def get_version(self, kind: str) -> Any:
        def handler(request: Request, name: str, version: str, **bound: str) -> dict[str, Any]:
            scope = _scope(bound)
            found = self.ml.resources.find(scope, kind, name, version)
            if found is None and kind == "environments":
                return self.ml.curated_environment(scope, name, version)
            return self.ml.resources.get(scope, kind, name, version)

        return handler

    def put_version(self, kind: str) -> Any:
        def handler(request: Request, name: str, version: str, **bound: str) -> dict[str, Any]:
            scope = _scope(bound)
            properties = dict(json_body(request).get("properties") or {})
            properties.setdefault("provisioningState", "Succeeded")
            if kind == "models":
                complete_model(self.ml, scope, properties)
            resource = arm_resource(scope, kind, name, properties, version)
            self.ml.resources.put(scope, kind, name, resource, version)
            self._update_container(scope, kind, name)
            return resource

        return handler

    def _update_container(self, scope: Scope, kind: str, name: str) -> None:
        """The container's ``latestVersion`` and ``nextVersion`` (the SDK's auto-increment reads them)."""
        versions = [v["name"] for v in self.ml.resources.list(scope, kind, name)]
        numeric = [int(v) for v in versions if v.isdigit()]
        latest = str(max(numeric)) if numeric else versions[-1]
        properties = {"latestVersion": latest, "nextVersion": str(max(numeric, default=0) + 1)}
        self.ml.resources.put(scope, kind, name, arm_resource(scope, kind, name, properties))

    def containers(self, kind: str) -> Any:
        def handler(request: Request, **bound: str) -> dict[str, Any]:
            found = self.ml.resources.list(_scope(bound), kind)
            return _page(_in_view(found, request.args.get("listViewType", "ActiveOnly")))

        return handler

    def container(self, kind: str) -> Any:
        def handler(request: Request, name: str, **bound: str) -> dict[str, Any]:
            return self.ml.resources.get(_scope(bound), kind, name)

        return handler

    def pending_upload(self, kind: str) -> Any:
        def handler(request: Request, name: str, version: str, **bound: str) -> dict[str, Any]:
            return self.ml.start_pending_upload(_scope(bound), kind, name, version)

        return handler

    def list_computes(self, request: Request, **bound: str) -> dict[str, Any]:
        return _page(self.ml.resources.list(_scope(bound), "computes"))

    def get_compute(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        return self.ml.resources.get(_scope(bound), "computes", name)

    def put_compute(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        scope = _scope(bound)
        body = json_body(request)
        properties = dict(body.get("properties") or {})
        spec = properties.get("properties") or {}
        scale = spec.get("scaleSettings") or {}
        catalog.check_compute(
            str(spec.get("vmSize") or "STANDARD_DS3_V2"), int(scale.get("maxNodeCount") or 1)
        )
        properties["provisioningState"] = "Succeeded"
        resource = arm_resource(scope, "computes", name, properties)
        resource["location"] = body.get("location") or "local"
        self.ml.resources.put(scope, "computes", name, resource)
        return resource

    def list_jobs(self, request: Request, **bound: str) -> dict[str, Any]:
        return _page(self.ml.jobs.list(_scope(bound)))

    def get_job(self, request: Request, name: str, **bound: str) -> dict[str, Any]:
        return self.ml.jobs.describe(_scope(bound), name)

    def put_job(self, request: Request, name: str, **bound: str) -> Any:
        from multi_cloud.emulation.protocols.azure.errors import json_response

        scope = _scope(bound)
        properties = dict(json_body(request).get("properties") or {})
        resource = self.ml.submit_job(scope, name, properties, tracking_uri(request.host_url, scope))
        return json_response(resource, 201)

    def cancel_job(self, request: Request, name: str, **bound: str) -> Any:
        from multi_cloud.emulation.protocols.azure.errors import json_response

        self.ml.jobs.cancel(_scope(bound), name)
        return json_response(None, 202)
