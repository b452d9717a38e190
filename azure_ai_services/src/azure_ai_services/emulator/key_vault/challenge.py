"""Key Vault's bearer-token challenge: a request without a valid token gets 401 and ``WWW-Authenticate``.

The azure-keyvault clients send their first request without a token, read the challenge's ``resource``,
ask the credential for a token for it, and check that the resource's domain is a parent of the vault's
host (``vault.azure.net`` for ``myvault.vault.azure.net``). The local vaults live at an IP address, so the
resource is the address's own parent, e.g. ``https://0.0.1:5030`` for ``https://127.0.0.1:5030``: the
check passes unchanged and the token is asked for that resource. Tokens are the local managed identity's
(unsigned JWTs naming the local tenant); an expired or foreign one is refused as Key Vault refuses it.
"""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.identity import LOCAL_TENANT

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request


class Challenge(AzureError):
    """401 with the ``WWW-Authenticate`` header Key Vault sends."""

    def __init__(self, message: str, resource: str) -> None:
        challenge = (
            f'Bearer authorization="https://login.microsoftonline.com/{LOCAL_TENANT}", resource="{resource}"'
        )
        super().__init__(401, "Unauthorized", message, headers={"WWW-Authenticate": challenge})


def vault_resource(request: Request) -> str:
    """The token resource for this host: its parent domain (``0.0.1:PORT`` for ``127.0.0.1:PORT``)."""
    host = urlsplit(request.host_url).netloc
    name, _, port = host.partition(":")
    parent = name.split(".", 1)[1] if "." in name else name
    return f"https://{parent}" + (f":{port}" if port else "")


def require_token(request: Request) -> dict[str, Any]:
    """The token's claims; :class:`Challenge` when there is none, it is not the local one, or expired."""
    resource = vault_resource(request)
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Challenge("AKV10000: Request is missing a Bearer or PoP token.", resource)
    try:
        payload = header[len("Bearer ") :].split(".")[1]
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise Challenge("AKV10022: Invalid audience or malformed token.", resource) from exc
    if claims.get("tid") != LOCAL_TENANT:
        raise Challenge("AKV10032: Invalid issuer: the token was not issued by the local cloud.", resource)
    if float(claims.get("exp", 0)) < time.time():
        raise Challenge("AKV10032: The token has expired.", resource)
    return claims
