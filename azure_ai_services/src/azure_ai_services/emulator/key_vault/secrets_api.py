"""Key Vault secrets (``/secrets``, ``/deletedsecrets``) as ``azure.keyvault.secrets.SecretClient`` calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.key_vault.challenge import require_token
from azure_ai_services.emulator.key_vault.items_api import VaultItemsAPI, vault_url
from azure_ai_services.emulator.key_vault.vault import Collection, Version

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

MAX_SECRET_BYTES = 25 * 1024  # Key Vault's limit on a secret's value


class SecretsAPI(VaultItemsAPI):
    path = "secrets"

    def collection(self) -> Collection:
        return self.vault.secrets

    def routes(self) -> AzureRoutes:
        table = self.shared_routes(AzureRoutes())
        table.add("PUT", "/secrets/{name}", self.set)
        table.add("GET", "/secrets/{name}", self.get)
        table.add("GET", "/secrets/{name}/{version}", self.get)
        table.add("PATCH", "/secrets/{name}/{version}", self.update)
        table.add("PATCH", "/secrets/{name}", self.update)
        return table

    def set(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        body = json_body(request)
        value = body.get("value")
        if not isinstance(value, str):
            raise AzureError(400, "BadParameter", "The parameter 'value' is required and must be a string.")
        if len(value.encode()) > MAX_SECRET_BYTES:
            raise AzureError(400, "BadParameter", f"A secret's value is limited to {MAX_SECRET_BYTES} bytes.")
        with self.vault.lock:
            version = self.vault.secrets.add_version(
                name,
                value,
                _attributes(body),
                tags=dict(body.get("tags") or {}),
                content_type=str(body.get("contentType", "")),
            )
            return self.bundle(request, name, version)

    def get(self, request: Request, name: str, version: str = "") -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            _, found = self.vault.secrets.get(name, version)
            if not found.attributes.get("enabled", True):
                raise AzureError(
                    403, "Forbidden", f"Operation get is not allowed on a disabled secret: {name}"
                )
            return self.bundle(request, name, found)

    def update(self, request: Request, name: str, version: str = "") -> dict[str, Any]:
        require_token(request)
        body = json_body(request)
        with self.vault.lock:
            _, found = self.vault.secrets.get(name, version)
            found.attributes.update(_attributes(body))
            if "tags" in body:
                found.tags = dict(body["tags"] or {})
            if "contentType" in body:
                found.content_type = str(body["contentType"] or "")
            return self.bundle(request, name, found, value=False)

    # ------------------------------------------------------------------ shapes
    def item(
        self, request: Request, name: str, version: Version, *, versioned: bool = False
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": f"{vault_url(request)}/secrets/{name}" + (f"/{version.version}" if versioned else ""),
            "attributes": version.attributes,
            "tags": version.tags,
        }
        if version.content_type:
            item["contentType"] = version.content_type
        return item

    def bundle(self, request: Request, name: str, version: Version, *, value: bool = True) -> dict[str, Any]:
        bundle = self.item(request, name, version, versioned=True)
        if value:
            bundle["value"] = version.value
        return bundle


def _attributes(body: dict[str, Any]) -> dict[str, Any]:
    """The settable attributes (``enabled``, ``nbf``, ``exp``) a request gives."""
    given = body.get("attributes") or {}
    if not isinstance(given, dict):
        raise AzureError(400, "BadParameter", "The parameter 'attributes' must be an object.")
    return {key: given[key] for key in ("enabled", "nbf", "exp") if key in given}
