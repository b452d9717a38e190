"""The ``google.longrunning`` routes for one API's operations only: those its store holds.

Cloud Functions and Cloud Run both name operations ``/v2/projects/*/locations/*/operations/*``, Workflows and
Vertex AI ``/v1/...``: each API keeps its own :class:`OperationStore`, and this service claims a request only
when the named operation is in its store, so another service (mounted after it) answers the rest.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from multi_cloud.emulation.protocols.google.operations import OperationsService, OperationStore

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response


class OwnOperations:
    """``GET/DELETE {name}``, ``POST {name}:cancel|:wait`` for ``store``'s operations, at ``/{version}``."""

    def __init__(self, store: OperationStore, version: str) -> None:
        self.store = store
        self._service = OperationsService(store)
        self._path = re.compile(
            rf"^/{version}/(?P<name>projects/[^/]+/locations/[^/]+/operations/[^/:]+)(?::cancel|:wait)?/?$"
        )

    def claims(self, incoming: Incoming) -> bool:
        match = self._path.match(unquote(incoming.path))
        if match is None:
            return False
        try:
            self.store.get(match.group("name"))
        except Exception:  # noqa: BLE001 - NOT_FOUND: not ours
            return False
        return True

    def handle(self, incoming: Incoming) -> Response:
        answer: Response = self._service.handle(incoming)
        return answer
