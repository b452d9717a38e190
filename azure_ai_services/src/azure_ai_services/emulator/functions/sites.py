"""Function apps (``Microsoft.Web/sites``, kind ``functionapp``): ARM record, settings, keys, functions."""

from __future__ import annotations

import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.functions.host_json import HostSettings

PROVIDER = "Microsoft.Web"
#: Azure's rule for a site name: 2-60 letters, digits and hyphens, not starting or ending with a hyphen
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])$")
STORAGE_SETTING = "AzureWebJobsStorage"
CONNECTION_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
#: where a site's data plane lives below the emulator (``https://127.0.0.1:PORT/sites/{app}/api/...``)
SITES_MOUNT = "/sites"
SCM_MOUNT = "/scm"


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise AzureError(
            400,
            "InvalidResourceName",
            f"Site name '{name}' is invalid: use 2-60 letters, digits or hyphens, starting and ending with a "
            "letter or digit.",
        )


@dataclass
class FunctionApp:
    """One function app: its ARM identity, app settings, keys and the functions its last deploy indexed."""

    subscription: str
    group: str
    name: str
    location: str
    kind: str
    app_settings: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    master_key: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    host_key: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    function_keys: dict[str, str] = field(default_factory=dict)
    #: ``[{"name", "bindings"}]`` as the worker indexed ``function_app.py`` (empty until a deploy)
    functions: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    #: what the deployed ``host.json`` sets (route prefix, queue retries, timeout)
    settings: HostSettings = field(default_factory=HostSettings)

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.group}/providers/{PROVIDER}/sites/"
            f"{self.name}"
        )

    def function(self, name: str) -> dict[str, Any]:
        for function in self.functions:
            if function["name"].lower() == name.lower():
                return function
        raise AzureError(404, "NotFound", f"Function '{name}' does not exist in site '{self.name}'.")

    def function_key(self, name: str) -> str:
        return self.function_keys.setdefault(name, secrets.token_urlsafe(40))

    def connection(self, setting: str | None) -> str:
        """The connection string a binding's ``connection`` names (an app setting, as Azure resolves it)."""
        name = setting or STORAGE_SETTING
        value = self.app_settings.get(name) or self.app_settings.get(f"{name}__connectionString")
        if not value:
            raise AzureError(
                400,
                "BadRequest",
                f"The binding's connection '{name}' is not an app setting of '{self.name}': add it "
                "(the storage account's connection string) to the app settings",
            )
        return value

    def arm(self, host: str) -> dict[str, Any]:
        default_host = f"{host}{SITES_MOUNT}/{self.name}"
        scm_host = f"{host}{SCM_MOUNT}/{self.name}"
        return {
            "id": self.id,
            "name": self.name,
            "type": f"{PROVIDER}/sites",
            "kind": self.kind,
            "location": self.location,
            "tags": self.tags,
            "properties": {
                "name": self.name,
                "state": "Running",
                "defaultHostName": default_host,
                "hostNames": [default_host],
                "enabledHostNames": [default_host, scm_host],
                "hostNameSslStates": [
                    {"name": default_host, "sslState": "Disabled", "hostType": "Standard"},
                    {"name": scm_host, "sslState": "Disabled", "hostType": "Repository"},
                ],
                "reserved": "linux" in self.kind,
                "httpsOnly": True,
                "provisioningState": "Succeeded",
                "resourceGroup": self.group,
                "serverFarmId": f"/subscriptions/{self.subscription}/resourceGroups/{self.group}/providers/"
                f"{PROVIDER}/serverfarms/LocalConsumptionPlan",
                "sku": "Dynamic",
                "siteConfig": {"linuxFxVersion": "Python|3.11", "appSettings": None},
            },
        }


class FunctionApps:
    """Every function app by name (site names are global in Azure: ``{name}.azurewebsites.net``)."""

    def __init__(self) -> None:
        self.apps: dict[str, FunctionApp] = {}
        self.lock = threading.RLock()

    def put(self, subscription: str, group: str, name: str, body: dict[str, Any]) -> tuple[FunctionApp, bool]:
        check_name(name)
        location = str(body.get("location") or "")
        if not location:
            raise AzureError(
                400, "LocationRequired", "The location property is required for this definition."
            )
        properties = body.get("properties") or {}
        site_config = properties.get("siteConfig") or {}
        settings = {
            str(item["name"]): str(item.get("value", ""))
            for item in site_config.get("appSettings") or []
            if isinstance(item, dict) and "name" in item
        }
        with self.lock:
            existing = self.apps.get(name.lower())
            if existing is not None and existing.id.lower() != _id(subscription, group, name).lower():
                raise AzureError(
                    409,
                    "Conflict",
                    f"Website with given name {name} already exists.",
                )
            if existing is not None:
                existing.app_settings.update(settings)
                existing.tags = dict(body.get("tags") or existing.tags)
                return existing, False
            default_storage = os.environ.get(CONNECTION_VARIABLE, "")
            if default_storage:
                settings.setdefault(STORAGE_SETTING, default_storage)
            settings.setdefault("FUNCTIONS_WORKER_RUNTIME", "python")
            settings.setdefault("FUNCTIONS_EXTENSION_VERSION", "~4")
            app = FunctionApp(
                subscription,
                group,
                name,
                location,
                str(body.get("kind") or "functionapp,linux"),
                settings,
                dict(body.get("tags") or {}),
            )
            self.apps[name.lower()] = app
            return app, True

    def get(self, subscription: str, group: str, name: str) -> FunctionApp:
        with self.lock:
            app = self.apps.get(name.lower())
        if app is None or app.id.lower() != _id(subscription, group, name).lower():
            raise AzureError(
                404,
                "ResourceNotFound",
                f"The Resource '{PROVIDER}/sites/{name}' under resource group '{group}' was not found.",
            )
        return app

    def by_name(self, name: str) -> FunctionApp | None:
        with self.lock:
            return self.apps.get(name.lower())

    def remove(self, name: str) -> FunctionApp | None:
        with self.lock:
            return self.apps.pop(name.lower(), None)

    def all(self) -> list[FunctionApp]:
        with self.lock:
            return list(self.apps.values())


def _id(subscription: str, group: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{PROVIDER}/sites/{name}"
