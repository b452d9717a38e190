"""Key Vault keys (``/keys``, ``/deletedkeys``, operations) as KeyClient and CryptographyClient call them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.key_vault import crypto
from azure_ai_services.emulator.key_vault.challenge import require_token
from azure_ai_services.emulator.key_vault.items_api import VaultItemsAPI, vault_url
from azure_ai_services.emulator.key_vault.vault import Collection, Version

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

OPERATIONS = ("encrypt", "decrypt", "sign", "verify", "wrapkey", "unwrapkey")
OP_NAMES = {"wrapkey": "wrapKey", "unwrapkey": "unwrapKey"}


class KeysAPI(VaultItemsAPI):
    path = "keys"

    def collection(self) -> Collection:
        return self.vault.keys

    def routes(self) -> AzureRoutes:
        table = self.shared_routes(AzureRoutes())
        table.add("POST", "/keys/{name}/create", self.create)
        table.add("GET", "/keys/{name}", self.get)
        table.add("GET", "/keys/{name}/{version}", self.get)
        table.add("PATCH", "/keys/{name}/{version}", self.update)
        table.add("PATCH", "/keys/{name}", self.update)
        for operation in OPERATIONS:
            table.add("POST", f"/keys/{{name}}/{{version}}/{operation}", self.operation(operation))
            table.add("POST", f"/keys/{{name}}/{operation}", self.operation(operation))
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
            return self.bundle(request, name, version)

    def get(self, request: Request, name: str, version: str = "") -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            _, found = self.vault.keys.get(name, version)
            return self.bundle(request, name, found)

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
            return self.bundle(request, name, found)

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

    def item(
        self, request: Request, name: str, version: Version, *, versioned: bool = False
    ) -> dict[str, Any]:
        kid = self._kid(request, name, version) if versioned else f"{vault_url(request)}/keys/{name}"
        return {"kid": kid, "attributes": version.attributes, "tags": version.tags}

    def bundle(self, request: Request, name: str, version: Version) -> dict[str, Any]:
        key = crypto.public_jwk(
            version.value, self._kid(request, name, version), version.extra["kty"], version.extra["key_ops"]
        )
        return {"key": key, "attributes": version.attributes, "tags": version.tags}
