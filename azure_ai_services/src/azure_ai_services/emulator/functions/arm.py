"""``Microsoft.Web/sites`` in ARM: create, get, list and delete function apps; settings, keys, functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.functions.service import AzureFunctions, trigger_binding
from azure_ai_services.emulator.functions.sites import PROVIDER, FunctionApp

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

GROUP = "/subscriptions/{sub}/resourceGroups/{rg}"
SITE = GROUP + f"/providers/{PROVIDER}/sites/{{name}}"


def routes(functions: AzureFunctions) -> AzureRoutes:
    table = AzureRoutes()
    handlers = SiteHandlers(functions)
    table.add("PUT", SITE, handlers.put)
    table.add("GET", SITE, handlers.get)
    table.add("DELETE", SITE, handlers.delete)
    table.add("GET", GROUP + f"/providers/{PROVIDER}/sites", handlers.list_group)
    table.add("GET", f"/subscriptions/{{sub}}/providers/{PROVIDER}/sites", handlers.list_subscription)
    table.add("POST", SITE + "/config/appsettings/list", handlers.list_settings)
    table.add("PUT", SITE + "/config/appsettings", handlers.put_settings)
    table.add("POST", SITE + "/host/default/listkeys", handlers.host_keys)
    table.add("GET", SITE + "/functions", handlers.list_functions)
    table.add("GET", SITE + "/functions/{function}", handlers.get_function)
    table.add("POST", SITE + "/functions/{function}/listkeys", handlers.function_keys)
    return table


def host_of(request: Request) -> str:
    return request.host  # 127.0.0.1:PORT: the emulator serves every site below it


class SiteHandlers:
    def __init__(self, functions: AzureFunctions) -> None:
        self.functions = functions

    def _app(self, bound: dict[str, str]) -> FunctionApp:
        return self.functions.apps.get(bound["sub"], bound["rg"], bound["name"])

    def put(self, request: Request, **bound: str) -> Response:
        app, created = self.functions.apps.put(bound["sub"], bound["rg"], bound["name"], json_body(request))
        return json_response(app.arm(host_of(request)), 201 if created else 200)

    def get(self, request: Request, **bound: str) -> dict[str, Any]:
        return self._app(bound).arm(host_of(request))

    def delete(self, request: Request, **bound: str) -> Response:
        try:
            app = self._app(bound)
        except AzureError:
            return json_response(None, 204)
        self.functions.delete(app)
        return json_response(None, 200)

    def list_group(self, request: Request, **bound: str) -> dict[str, Any]:
        apps = [
            a
            for a in self.functions.apps.all()
            if a.subscription.lower() == bound["sub"].lower() and a.group.lower() == bound["rg"].lower()
        ]
        return {"value": [a.arm(host_of(request)) for a in apps]}

    def list_subscription(self, request: Request, **bound: str) -> dict[str, Any]:
        apps = [a for a in self.functions.apps.all() if a.subscription.lower() == bound["sub"].lower()]
        return {"value": [a.arm(host_of(request)) for a in apps]}

    def list_settings(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        return {
            "id": f"{app.id}/config/appsettings",
            "name": "appsettings",
            "type": f"{PROVIDER}/sites/config",
            "properties": dict(app.app_settings),
        }

    def put_settings(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        properties = json_body(request).get("properties")
        if not isinstance(properties, dict):
            raise AzureError(400, "BadRequest", "The request body needs 'properties': {setting: value}.")
        app.app_settings = {str(k): str(v) for k, v in properties.items()}
        return self.list_settings(request, **bound)

    def host_keys(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        return {"masterKey": app.master_key, "functionKeys": {"default": app.host_key}, "systemKeys": {}}

    def list_functions(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        return {"value": [self._function(request, app, f) for f in app.functions]}

    def get_function(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        return self._function(request, app, app.function(bound["function"]))

    def function_keys(self, request: Request, **bound: str) -> dict[str, Any]:
        app = self._app(bound)
        function = app.function(bound["function"])
        return {"default": app.function_key(function["name"])}

    def _function(self, request: Request, app: FunctionApp, function: dict[str, Any]) -> dict[str, Any]:
        trigger = trigger_binding(function)
        invoke_url = ""
        if trigger["type"] == "httpTrigger":
            route = trigger.get("route") or function["name"]
            invoke_url = f"https://{app.arm(host_of(request))['properties']['defaultHostName']}/api/{route}"
        return {
            "id": f"{app.id}/functions/{function['name']}",
            "name": f"{app.name}/{function['name']}",
            "type": f"{PROVIDER}/sites/functions",
            "location": app.location,
            "properties": {
                "name": function["name"],
                "function_app_id": app.id,
                "config": {"bindings": function["bindings"]},
                "invoke_url_template": invoke_url or None,
                "language": "python",
                "isDisabled": False,
            },
        }
