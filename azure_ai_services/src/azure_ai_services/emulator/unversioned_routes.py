"""Routes of APIs that carry their version in the path (Computer Vision v3.2, Speech): no ``api-version``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request


class PathVersionedRoutes(AzureRoutes):
    """An ``AzureRoutes`` that takes no ``api-version`` query parameter."""

    def check_api_version(self, request: Request) -> None:
        return None
