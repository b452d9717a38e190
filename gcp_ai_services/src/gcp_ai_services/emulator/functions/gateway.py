"""Each HTTP function's ``serviceConfig.uri``: ``{emulator}/cloudfunctions/{project}/{location}/{function}``.

Mounted at ``/cloudfunctions`` in the emulator app; a request to the URI (plus any path and query) reaches
the function as functions-framework serves it on Cloud Run: same method, path below the URI, headers and
body. A missing or not yet active function is 404 as Cloud Run answers an unknown service; every instance
busy past the runtime's wait is 429.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import NotFound, Throttled

from gcp_ai_services.emulator.functions.state import FunctionsState

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response

MOUNT = "/cloudfunctions"
#: hop-by-hop and the emulator's own headers, not passed to the function
_DROPPED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


def function_uri(host_url: str, name: str) -> str:
    _, project, _, location, _, short = name.split("/")
    return f"{host_url.rstrip('/')}{MOUNT}/{project}/{location}/{short}"


class FunctionGateway:
    """An ``EmulatorApp`` service for the ``/cloudfunctions`` mount."""

    def __init__(self, state: FunctionsState) -> None:
        self.state = state

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        parts = incoming.path.lstrip("/").split("/", 3)
        if len(parts) < 3:
            return _not_found(incoming.path)
        name = f"projects/{parts[0]}/locations/{parts[1]}/functions/{parts[2]}"
        with self.state.lock:
            function = self.state.functions.get(name)
        if function is None or function.get("state") != "ACTIVE":
            return _not_found(incoming.path)
        request = incoming.request
        event: dict[str, Any] = {
            "method": request.method,
            "path": "/" + (parts[3] if len(parts) > 3 else ""),
            "query": request.query_string.decode("latin-1"),
            "headers": [[k, v] for k, v in request.headers.items() if k.lower() not in _DROPPED],
            "body": base64.b64encode(request.get_data()).decode("ascii"),
        }
        try:
            answer = self.state.runner.request(name, event)
        except Throttled as exc:  # every instance busy for the wait: Cloud Run's 429
            return Response(f"Rate exceeded: {exc.message}\n", status=429, content_type="text/plain")
        except NotFound:  # deleted while the request waited
            return _not_found(incoming.path)
        return Response(answer.body, status=answer.status, headers=answer.headers)


def _not_found(path: str) -> Response:
    from werkzeug.wrappers import Response

    return Response(
        f"Error: Page not found. The requested URL {MOUNT}{path} was not found on this server.\n",
        status=404,
        content_type="text/html; charset=UTF-8",
    )
