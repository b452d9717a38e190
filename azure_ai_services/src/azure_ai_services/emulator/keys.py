"""Key authentication of the Azure AI services: ``Ocp-Apim-Subscription-Key``, else Azure's 401."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from multi_cloud.emulation.protocols.azure.errors import AzureError, error_response

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming, Service
    from werkzeug.wrappers import Response

KEY_HEADER = "Ocp-Apim-Subscription-Key"
MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription key when making "
    "requests to an API."
)
INVALID_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource."
)


class KeyChecked:
    """Wraps a service: its requests need the resource key (the same 401 body the real services send)."""

    def __init__(self, service: Service, key: str) -> None:
        self.service = service
        self.key = key

    def claims(self, incoming: Incoming) -> bool:
        return self.service.claims(incoming)

    def handle(self, incoming: Incoming) -> Response:
        sent = incoming.request.headers.get(KEY_HEADER)
        if not sent:
            return error_response(AzureError(401, "401", MISSING_KEY))
        if not hmac.compare_digest(sent.encode(), self.key.encode()):
            return error_response(AzureError(401, "401", INVALID_KEY))
        return self.service.handle(incoming)
