"""Kudu's zip deploy (``POST {scm}/api/zipdeploy``), deployments and the app's log, below ``/scm/{app}``.

``az functionapp deployment source config-zip`` and the Core Tools' ``func azure functionapp publish``
both push the package to Kudu's ``/api/zipdeploy``; with ``isAsync=true`` the answer is 202 with the
deployment's URL in ``Location``. Kudu takes the publishing credentials (Basic) or an ARM bearer token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, error_response, json_response

from azure_ai_services.emulator.functions.service import AzureFunctions

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response

MAX_PACKAGE_BYTES = 256 * 1024 * 1024


class Kudu:
    """An ``EmulatorApp`` service for the ``/scm`` mount."""

    def __init__(self, functions: AzureFunctions) -> None:
        self.functions = functions

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        try:
            return self._handle(incoming)
        except AzureError as err:
            return error_response(err)

    def _handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        request = incoming.request
        name, _, rest = incoming.path.lstrip("/").partition("/")
        app = self.functions.apps.by_name(name)
        if app is None:
            raise AzureError(404, "NotFound", f"The site '{name}' does not exist.")
        if not request.headers.get("Authorization"):
            return Response(
                "401 - Unauthorized: Access is denied due to invalid credentials.",
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="site"'},
            )
        route = (request.method, "/" + rest.rstrip("/"))
        scm = f"{request.host_url.rstrip('/')}/scm/{app.name}"
        if route == ("POST", "/api/zipdeploy"):
            archive = request.get_data()
            if not archive:
                raise AzureError(
                    400, "BadRequest", "Deployment failed: the request body must be the zip package."
                )
            if len(archive) > MAX_PACKAGE_BYTES:
                raise AzureError(
                    413, "RequestEntityTooLarge", "the package is larger than the local 256 MB limit"
                )
            self.functions.deploy(app, archive, request.host_url)
            if request.args.get("isAsync", "").lower() == "true":
                return json_response(None, 202, {"Location": f"{scm}/api/deployments/latest"})
            return json_response(None, 200)
        if route == ("GET", "/api/deployments"):
            return json_response(list(reversed([_deployment(d, scm) for d in app.deployments])))
        if route == ("GET", "/api/deployments/latest"):
            if not app.deployments:
                raise AzureError(404, "NotFound", "No deployment found.")
            return json_response(_deployment(app.deployments[-1], scm))
        if route == ("GET", "/api/logstream"):
            return Response(self.functions.host.read_log(app.name), content_type="text/plain; charset=utf-8")
        raise AzureError(501, "NotImplemented", f"the local Kudu does not implement {request.method} /{rest}")


def _deployment(record: dict[str, Any], scm: str) -> dict[str, Any]:
    return {
        **record,
        "url": f"{scm}/api/deployments/{record['id']}",
        "log_url": f"{scm}/api/deployments/{record['id']}/log",
    }
