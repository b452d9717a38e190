"""Deploying a resource: the emulator's own ARM handlers, the local vault, Azurite, or a generic record."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.arm.state import ArmState

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import EmulatorApp

    from azure_ai_services.emulator.key_vault.vault import Vault

SECRET_TYPE = "microsoft.keyvault/vaults/secrets"  # noqa: S105 - a resource type
CONTAINER_TYPE = "microsoft.storage/storageaccounts/blobservices/containers"
LRO_SECONDS = 300.0


def record(resource_id: str, type_name: str, api_version: str) -> dict[str, str]:
    return {"id": resource_id, "type": type_name, "apiVersion": api_version}


class Dispatcher:
    """Creates, reads and deletes deployed resources; ``app`` is set once the emulator's app is built."""

    def __init__(self, state: ArmState, vault: Vault) -> None:
        self.state = state
        self.vault = vault
        self.app: EmulatorApp | None = None

    # -- the emulator's own handlers, called in-process ------------------------------------------------
    def call(
        self, host_url: str, method: str, path: str, api_version: str, body: Any = None
    ) -> tuple[int, Any, dict[str, str]]:
        from werkzeug.test import Client

        assert self.app is not None, "Dispatcher.app is set by build_app"
        client = Client(self.app)
        path, _, query = path.partition("?")
        if api_version and "api-version=" not in query:
            query = "&".join(q for q in (query, f"api-version={api_version}") if q)
        response = client.open(
            path,
            method=method,
            base_url=host_url,
            query_string=query,
            data=None if body is None else json.dumps(body),
            content_type="application/json",
        )
        text = response.get_data(as_text=True)
        try:
            parsed = json.loads(text) if text.strip() else None
        except ValueError:
            parsed = text
        return response.status_code, parsed, dict(response.headers)

    def _raise(self, status: int, answer: Any) -> None:
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        raise AzureError(
            status, str(error.get("code", "ResourceDeploymentFailure")), str(error.get("message", answer))
        )

    def _wait(self, host_url: str, headers: dict[str, str]) -> None:
        url = headers.get("Azure-AsyncOperation") or headers.get("Location") or ""
        if not url:
            return
        parts = urlsplit(url)
        deadline = time.monotonic() + LRO_SECONDS
        while time.monotonic() < deadline:
            status, answer, _ = self.call(host_url, "GET", f"{parts.path}?{parts.query}", "")
            if status >= 400:
                self._raise(status, answer)
            state = answer.get("status") if isinstance(answer, dict) else None
            if state in ("Failed", "Canceled"):
                self._raise(
                    400,
                    {"error": answer.get("error") or {"code": "ResourceDeploymentFailure", "message": state}},
                )
            if state == "Succeeded" or (state is None and status != 202):
                return
            time.sleep(0.2)
        raise AzureError(
            400, "DeploymentTimeout", f"The operation {url} did not end within {LRO_SECONDS:.0f} s."
        )

    # -- deployments' verbs ---------------------------------------------------------------------------
    def put(self, host_url: str, rec: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        """Creates or updates the resource; returns its GET; types the emulator lacks are recorded."""
        kind = rec["type"].lower()
        if kind == SECRET_TYPE:
            return self._put_secret(rec, body)
        if kind == CONTAINER_TYPE:
            return self._put_container(rec, body)
        status, answer, headers = self.call(host_url, "PUT", rec["id"], rec["apiVersion"], body)
        if status == 501:
            return self._put_generic(rec, body)
        if status >= 400:
            self._raise(status, answer)
        self._wait(host_url, headers)
        return self.get(host_url, rec)

    def get(self, host_url: str, rec: dict[str, str]) -> dict[str, Any]:
        key, kind = rec["id"].lower(), rec["type"].lower()
        if key in self.state.generic:
            return self.state.generic[key]
        if kind == SECRET_TYPE:
            return self._secret_resource(rec)
        if kind == CONTAINER_TYPE:
            return self._container_resource(rec, {})
        status, answer, _ = self.call(host_url, "GET", rec["id"], rec["apiVersion"])
        if status >= 400:
            self._raise(status, answer)
        return dict(answer or {})

    def exists(self, host_url: str, rec: dict[str, str]) -> dict[str, Any] | None:
        try:
            return self.get(host_url, rec)
        except AzureError as err:
            if err.status in (404, 501):
                return None
            raise

    def delete(self, host_url: str, rec: dict[str, str]) -> None:
        key, kind = rec["id"].lower(), rec["type"].lower()
        self.state.deployed.pop(key, None)
        if self.state.generic.pop(key, None) is not None:
            return
        if kind == SECRET_TYPE:
            try:
                self.vault.secrets.delete(rec["id"].rsplit("/", 1)[-1])
            except AzureError:
                pass
            return
        if kind == CONTAINER_TYPE:
            self._blob_service().delete_container(rec["id"].rsplit("/", 1)[-1])
            return
        _, _, headers = self.call(host_url, "DELETE", rec["id"], rec["apiVersion"])
        self._wait(host_url, headers)

    # -- Key Vault secrets, Azurite containers, generic records ---------------------------------------
    def _put_secret(self, rec: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        properties = body.get("properties") or {}
        if "value" not in properties:
            raise AzureError(
                400, "BadRequest", "A Microsoft.KeyVault/vaults/secrets resource needs properties.value."
            )
        attributes = {
            k: v for k, v in (properties.get("attributes") or {}).items() if k in ("enabled", "nbf", "exp")
        }
        with self.vault.lock:
            self.vault.secrets.add_version(
                rec["id"].rsplit("/", 1)[-1],
                str(properties["value"]),
                attributes,
                tags=dict(body.get("tags") or {}),
                content_type=str(properties.get("contentType") or ""),
            )
        return self._secret_resource(rec)

    def _secret_resource(self, rec: dict[str, str]) -> dict[str, Any]:
        parts = rec["id"].split("/")
        name = parts[-1]
        _, version = self.vault.secrets.get(name)
        return {
            "id": rec["id"],
            "name": f"{parts[-3]}/{name}",
            "type": "Microsoft.KeyVault/vaults/secrets",
            "tags": version.tags,
            "properties": {
                "contentType": version.content_type or None,
                "attributes": version.attributes,
                "secretUri": f"/secrets/{name}",
                "secretUriWithVersion": f"/secrets/{name}/{version.version}",
            },
        }

    def secret_value(self, resource_id: str) -> str:
        return str(self.vault.secrets.get(resource_id.rsplit("/", 1)[-1])[1].value)

    def _blob_service(self) -> Any:
        from azure.storage.blob import BlobServiceClient

        from azure_ai_services.emulator.azure_ml.storage import BlobStore

        return BlobServiceClient.from_connection_string(BlobStore().connection_string())

    def _put_container(self, rec: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        from azure.core.exceptions import ResourceExistsError

        name = rec["id"].rsplit("/", 1)[-1]
        metadata = {str(k): str(v) for k, v in ((body.get("properties") or {}).get("metadata") or {}).items()}
        try:
            self._blob_service().create_container(name, metadata=metadata or None)
        except ResourceExistsError:
            pass
        return self._container_resource(rec, metadata)

    def _container_resource(self, rec: dict[str, str], metadata: dict[str, str]) -> dict[str, Any]:
        from azure.core.exceptions import ResourceNotFoundError

        parts = rec["id"].split("/")
        client = self._blob_service().get_container_client(parts[-1])
        try:
            properties = client.get_container_properties()
        except ResourceNotFoundError:
            raise AzureError(
                404, "ContainerNotFound", f"The container '{parts[-1]}' does not exist."
            ) from None
        return {
            "id": rec["id"],
            "name": parts[-1],
            "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "etag": str(properties.etag),
            "properties": {
                "publicAccess": "None",
                "metadata": dict(properties.metadata or metadata),
                "lastModifiedTime": properties.last_modified.isoformat(),
            },
        }

    def _put_generic(self, rec: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        parts = rec["id"].split("/providers/", 1)[1].split("/")
        names = parts[2::2]
        resource = {
            **{k: v for k, v in body.items() if k != "properties"},
            "id": rec["id"],
            "name": "/".join(names),
            "type": rec["type"],
            "properties": {**dict(body.get("properties") or {}), "provisioningState": "Succeeded"},
        }
        self.state.generic[rec["id"].lower()] = resource
        self.state.generic_types.add(rec["type"].lower())
        return resource
