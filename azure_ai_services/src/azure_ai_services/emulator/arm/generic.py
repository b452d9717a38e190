"""GET and DELETE of the resources a deployment recorded for types the emulator does not emulate."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from multi_cloud.emulation.protocols.azure.errors import AzureError, error_response, json_response

from azure_ai_services.emulator.arm.state import ArmState

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response


class GenericResources:
    """An ``EmulatorApp`` service claiming exactly the recorded resources' ids."""

    def __init__(self, state: ArmState) -> None:
        self.state = state

    def _key(self, incoming: Incoming) -> str:
        return unquote(incoming.path).rstrip("/").lower()

    def _recorded_type(self, key: str) -> bool:
        if "/providers/" not in key or not key.startswith("/subscriptions/"):
            return False
        parts = key.split("/providers/", 1)[1].split("/")
        return len(parts) % 2 == 1 and "/".join([parts[0], *parts[1::2]]) in self.state.generic_types

    def claims(self, incoming: Incoming) -> bool:
        key = self._key(incoming)
        return incoming.request.method in ("GET", "DELETE") and (
            key in self.state.generic or self._recorded_type(key)
        )

    def handle(self, incoming: Incoming) -> Response:
        if not incoming.request.args.get("api-version"):
            return error_response(
                AzureError(
                    400,
                    "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.",
                )
            )
        key = self._key(incoming)
        if key not in self.state.generic and incoming.request.method == "GET":
            return error_response(
                AzureError(404, "ResourceNotFound", f"The Resource '{unquote(incoming.path)}' was not found.")
            )
        if incoming.request.method == "DELETE":
            with self.state.lock:
                self.state.generic.pop(key, None)
                self.state.deployed.pop(key, None)
            return json_response(None, 200)
        return json_response(self.state.generic[key], 200)
