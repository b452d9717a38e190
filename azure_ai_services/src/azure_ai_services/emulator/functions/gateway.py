"""Each app's HTTP functions at ``https://{defaultHostName}/api/{route}`` (``/sites/{app}/api/...`` here).

The prefix is host.json's ``extensions.http.routePrefix`` ("api" by default).

Function keys as Azure checks them: ``authLevel`` FUNCTION takes the function's key, the host key or the
master key, ADMIN only the master key, in ``x-functions-key`` or ``?code=``; ANONYMOUS takes none. A
missing or wrong key is 401 with an empty body, an unknown route 404, an exception in the function 500
with an empty body (the details are in the app's log), as the Functions host answers.
"""

from __future__ import annotations

import base64
import hmac
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import Throttled

from azure_ai_services.emulator.functions import http_routes
from azure_ai_services.emulator.functions.service import AzureFunctions
from azure_ai_services.emulator.functions.sites import SITES_MOUNT, FunctionApp

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response

_DROPPED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


class SiteGateway:
    """An ``EmulatorApp`` service for the ``/sites`` mount."""

    def __init__(self, functions: AzureFunctions) -> None:
        self.functions = functions

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        request = incoming.request
        name, _, rest = incoming.path.lstrip("/").partition("/")
        app = self.functions.apps.by_name(name)
        if app is None:
            return _site_not_found(name)
        if not rest:  # the site's root page
            return Response("Your Functions 4.0 app is up and running", content_type="text/plain")
        prefix = app.settings.route_prefix
        if prefix:
            first, _, route_path = rest.partition("/")
            if first.lower() != prefix.lower():
                return Response(status=404)
        else:
            route_path = rest
        from urllib.parse import unquote

        found = http_routes.match_route(app.functions, "/" + unquote(route_path), request.method)
        if found is None:
            return Response(status=404)
        function, trigger, route_values = found
        if not _authorized(app, function["name"], str(trigger.get("authLevel", "FUNCTION")), request):
            return Response(status=401)
        url = f"{request.host_url.rstrip('/')}{SITES_MOUNT}/{incoming.path.lstrip('/')}"
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        event: dict[str, Any] = {
            "trigger": {
                "method": request.method,
                "url": url,
                "headers": {k: v for k, v in request.headers.items() if k.lower() not in _DROPPED},
                "params": {k: v for k, v in request.args.items() if k != "code"},
                "route_params": route_values,
                "body": base64.b64encode(request.get_data()).decode("ascii"),
            }
        }
        try:
            outcome = self.functions.invoke(
                app,
                function,
                "This function was programmatically called via the host APIs.",
                event,
                {k: str(v) for k, v in route_values.items()},
            )
        except Throttled:
            return Response(status=429)
        http = outcome.answer.get("http") if outcome.ok else None
        if not http:
            return Response(status=500)
        headers = [(str(k), str(v)) for k, v in http["headers"] if str(k).lower() != "content-length"]
        return Response(base64.b64decode(http["body"]), status=int(http["status"]), headers=headers)


def _authorized(app: FunctionApp, function: str, level: str, request: Any) -> bool:
    level = level.upper()
    if level == "ANONYMOUS":
        return True
    sent = request.headers.get("x-functions-key") or request.args.get("code") or ""
    if not sent:
        return False
    accepted = (
        [app.master_key] if level == "ADMIN" else [app.function_key(function), app.host_key, app.master_key]
    )
    return any(hmac.compare_digest(sent.encode(), key.encode()) for key in accepted)


def _site_not_found(name: str) -> Response:
    from werkzeug.wrappers import Response

    return Response(
        f"<h1>404 Web Site not found.</h1><p>The web app '{name}' you have attempted to reach is not "
        "available in this Microsoft Azure App Service region.</p>",
        status=404,
        content_type="text/html",
    )
