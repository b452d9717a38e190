"""Key Vault keys (``/keys``, ``/deletedkeys``, operations) as KeyClient and CryptographyClient call them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.key_vault import crypto
from azure_ai_services.emulator.key_vault.challenge import require_token
from azure_ai_services.emulator.key_vault.secrets_api import vault_url
from azure_ai_services.emulator.key_vault.vault import RETENTION_DAYS, Item, Vault, Version

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

OPERATIONS = ("encrypt", "decrypt", "sign", "verify", "wrapkey", "unwrapkey")
OP_NAMES = {"wrapkey": "wrapKey", "unwrapkey": "unwrapKey"}


class KeysAPI:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def routes(self) -> AzureRoutes:
        table = AzureRoutes()
        table.add("POST", "/keys/{name}/create", self.create)
        table.add("GET", "/keys", self.list)
        table.add("GET", "/keys/{name}/versions", self.versions)
        table.add("GET", "/keys/{name}", self.get)
        table.add("GET", "/keys/{name}/{version}", self.get)
        table.add("PATCH", "/keys/{name}/{version}", self.update)
        table.add("PATCH", "/keys/{name}", self.update)
        table.add("DELETE", "/keys/{name}", self.delete)
        for operation in OPERATIONS:
            table.add("POST", f"/keys/{{name}}/{{version}}/{operation}", self.operation(operation))
            table.add("POST", f"/keys/{{name}}/{operation}", self.operation(operation))
        table.add("GET", "/deletedkeys", self.list_deleted)
        table.add("GET", "/deletedkeys/{name}", self.get_deleted)
        table.add("DELETE", "/deletedkeys/{name}", self.purge)
        table.add("POST", "/deletedkeys/{name}/recover", self.recover)
        return table

    def create(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        body = json_body(request)
        kty = str(body.get("kty", ""))
        private = crypto.generate(kty, body.get("key_size"), body.get("crv"))
        default_ops = crypto.RSA_OPS if kty.startswith("RSA") else crypto.EC_OPS
        ops = [str(op) for op in body.get("key_ops") or default_ops]
        attributes = {
            k: v for k, v in (body.get("attributes") or {}).items() if k in ("enabled", "nbf", "exp")
        }
        with self.vault.lock:
            version = self.vault.keys.add_version(
                name,
                private,
                attributes,
                tags=dict(body.get("tags") or {}),
                extra={"kty": kty, "key_ops": ops},
            )
            return self._bundle(request, name, version)

    def get(self, request: Request, name: str, version: str = "") -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            _, found = self.vault.keys.get(name, version)
            return self._bundle(request, name, found)

    def update(self, request: Request, name: str, version: str = "") -> dict[str, Any]:
        require_token(request)
        body = json_body(request)
        with self.vault.lock:
            _, found = self.vault.keys.get(name, version)
            given = body.get("attributes") or {}
            found.attributes.update({k: v for k, v in given.items() if k in ("enabled", "nbf", "exp")})
            if "tags" in body:
                found.tags = dict(body["tags"] or {})
            if body.get("key_ops"):
                found.extra["key_ops"] = [str(op) for op in body["key_ops"]]
            return self._bundle(request, name, found)

    def list(self, request: Request) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            items = [self._item(request, i.name, i.latest) for i in self.vault.keys.live.values()]
        return {"value": items, "nextLink": None}

    def versions(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            item, _ = self.vault.keys.get(name)
            return {
                "value": [self._item(request, name, v, versioned=True) for v in item.versions],
                "nextLink": None,
            }

    def delete(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self._deleted(request, self.vault.keys.delete(name))

    def get_deleted(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self._deleted(request, self.vault.keys.deleted_item(name))

    def list_deleted(self, request: Request) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            items = [self._deleted(request, i, listed=True) for i in self.vault.keys.deleted.values()]
        return {"value": items, "nextLink": None}

    def purge(self, request: Request, name: str) -> None:
        require_token(request)
        with self.vault.lock:
            self.vault.keys.purge(name)

    def recover(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self._bundle(request, name, self.vault.keys.recover(name).latest)

    def operation(self, operation: str) -> Any:
        def handler(request: Request, name: str, version: str = "") -> dict[str, Any]:
            require_token(request)
            body = json_body(request)
            with self.vault.lock:
                _, found = self.vault.keys.get(name, version)
            allowed = found.extra.get("key_ops", [])
            if OP_NAMES.get(operation, operation) not in allowed:
                raise AzureError(
                    403,
                    "Forbidden",
                    f"Operation {OP_NAMES.get(operation, operation)} is not permitted on this key.",
                )
            if not found.attributes.get("enabled", True):
                raise AzureError(403, "Forbidden", f"Operation {operation} is not allowed on a disabled key.")
            algorithm = str(body.get("alg", ""))
            value = crypto.from_b64url(str(body.get("value", "")))
            kid = self._kid(request, name, found)
            if operation == "verify":
                signature = crypto.from_b64url(str(body.get("value", "")))
                digest = crypto.from_b64url(str(body.get("digest", "")))
                return {"value": bool(crypto.operate(found.value, "verify", algorithm, digest, signature))}
            result = crypto.operate(found.value, operation, algorithm, value)
            return {"kid": kid, "value": crypto.b64url(result)}

        return handler

    # ------------------------------------------------------------------ shapes
    def _kid(self, request: Request, name: str, version: Version) -> str:
        return f"{vault_url(request)}/keys/{name}/{version.version}"

    def _item(
        self, request: Request, name: str, version: Version, *, versioned: bool = False
    ) -> dict[str, Any]:
        kid = self._kid(request, name, version) if versioned else f"{vault_url(request)}/keys/{name}"
        return {"kid": kid, "attributes": version.attributes, "tags": version.tags}

    def _bundle(self, request: Request, name: str, version: Version) -> dict[str, Any]:
        key = crypto.public_jwk(
            version.value, self._kid(request, name, version), version.extra["kty"], version.extra["key_ops"]
        )
        return {"key": key, "attributes": version.attributes, "tags": version.tags}

    def _deleted(self, request: Request, item: Item, *, listed: bool = False) -> dict[str, Any]:
        """A deleted key bundle (``key`` JWK), or as listed (a ``kid``, as key items have)."""
        bundle = (
            self._item(request, item.name, item.latest)
            if listed
            else self._bundle(request, item.name, item.latest)
        )
        bundle.update(
            recoveryId=f"{vault_url(request)}/deletedkeys/{item.name}",
            deletedDate=item.deleted_on,
            scheduledPurgeDate=item.deleted_on + RETENTION_DAYS * 86400,
        )
        return bundle
