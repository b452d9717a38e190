"""The managed-identity token endpoint (App Service protocol: ``IDENTITY_ENDPOINT`` + ``IDENTITY_HEADER``).

``DefaultAzureCredential`` finds it through those two variables and asks
``GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=...`` with ``X-IDENTITY-HEADER``. The token is an
unsigned JWT naming this local cloud's tenant and principal: the emulator issued it and is the only party
that reads it.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

TOKEN_PATH = "/msi/token"  # noqa: S105 - a URL path, not a secret
API_VERSIONS = ("2019-08-01",)
LIFETIME_SECONDS = 3600
LOCAL_TENANT = "00000000-0000-0000-0000-00000000c10d"
LOCAL_PRINCIPAL = "00000000-0000-0000-0000-0000000010ca"


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


def issue_token(resource: str, issuer: str, now: float | None = None) -> dict[str, Any]:
    """The App Service token response for ``resource``: ``access_token``, ``expires_on``, ..."""
    issued = int(now if now is not None else time.time())
    expires = issued + LIFETIME_SECONDS
    claims = {
        "aud": resource,
        "iss": f"{issuer.rstrip('/')}/{LOCAL_TENANT}/",
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "oid": LOCAL_PRINCIPAL,
        "sub": LOCAL_PRINCIPAL,
        "tid": LOCAL_TENANT,
        "idtyp": "app",
    }
    token = f"{_segment({'typ': 'JWT', 'alg': 'none'})}.{_segment(claims)}."
    return {
        "access_token": token,
        "expires_on": str(expires),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": LOCAL_PRINCIPAL,
    }


class ManagedIdentity:
    """Answers token requests that carry the secret ``X-IDENTITY-HEADER`` exported with the endpoint."""

    def __init__(self, header_secret: str) -> None:
        self.header_secret = header_secret

    def routes(self) -> AzureRoutes:
        return AzureRoutes({("GET", TOKEN_PATH): self.token}, api_versions=API_VERSIONS)

    def token(self, request: Request) -> dict[str, Any]:
        sent = request.headers.get("X-IDENTITY-HEADER", "")
        if not hmac.compare_digest(sent.encode(), self.header_secret.encode()):
            raise AzureError(401, "Unauthorized", "The X-IDENTITY-HEADER header is missing or invalid.")
        resource = request.args.get("resource", "")
        if not resource:
            raise AzureError(400, "invalid_request", "The 'resource' query parameter is required.")
        return issue_token(resource, request.host_url)
