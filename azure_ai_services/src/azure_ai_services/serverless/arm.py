"""An ARM session for the lessons: a bearer token from ``DefaultAzureCredential`` on ``requests``.

Function apps, Event Grid and Logic Apps have no management SDK in this project's lock, so the lessons call
their REST APIs as Microsoft's REST reference documents them. The Resource Manager URL comes from the
environment (``CLOUDAI_AZURE_ENDPOINT`` for the local cloud), otherwise Azure's public cloud.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import requests

PUBLIC_RESOURCE_MANAGER = "https://management.azure.com"
SCOPE = "https://management.azure.com/.default"


def resource_manager() -> str:
    return (os.environ.get("CLOUDAI_AZURE_ENDPOINT") or PUBLIC_RESOURCE_MANAGER).rstrip("/")


def arm_session(credential: Any = None) -> requests.Session:
    """A ``requests`` session that sends an ARM bearer token (refreshed by the credential's cache)."""
    import requests
    from azure.identity import DefaultAzureCredential

    credential = credential or DefaultAzureCredential()

    class BearerAuth(requests.auth.AuthBase):
        def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
            request.headers["Authorization"] = f"Bearer {credential.get_token(SCOPE).token}"
            return request

    session = requests.Session()
    session.auth = BearerAuth()
    return session


def raise_for_azure(response: requests.Response) -> Any:
    """The JSON body (None when empty), or ``azure.core.exceptions.HttpResponseError`` with Azure's code."""
    from azure.core.exceptions import HttpResponseError

    if response.status_code >= 400:
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        raise HttpResponseError(
            message=f"({error.get('code', response.status_code)}) {error.get('message', response.text)}",
        )
    return response.json() if response.content else None


def raise_for_cloud(response: requests.Response, operation: str) -> Any:
    """The JSON body (None when empty), or the multi_cloud error for Azure's code (``NotFound``...)."""
    from multi_cloud.core.errors import error_for_status

    from azure_ai_services.errors import ERROR_CLASSES

    if response.status_code < 400:
        return response.json() if response.content else None
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code = str(error.get("code") or response.status_code)
    message = str(error.get("message") or response.text or response.reason)
    cls = ERROR_CLASSES.get(code)
    found = cls(message, code=code) if cls else error_for_status(response.status_code, message, code=code)
    found.provider, found.operation = "azure", operation
    raise found
