"""Function apps through ARM (``Microsoft.Web/sites``) and Kudu zip deploy; their HTTP functions by key."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure_ai_services.serverless.arm import arm_session, raise_for_azure, resource_manager

if TYPE_CHECKING:  # pragma: no cover
    import requests

API_VERSION = "2023-12-01"
_SKIPPED = {"__pycache__", ".venv", ".git", "local.settings.json"}


def zip_folder(folder: str | Path) -> bytes:
    """The folder's contents as a zip, as ``func azure functionapp publish`` packs them (no .venv, caches)."""
    root, buffer = Path(folder), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not _SKIPPED.intersection(relative.parts):
                archive.write(path, relative.as_posix())
    return buffer.getvalue()


class FunctionApps:
    """Create, deploy, call and delete function apps in one resource group."""

    def __init__(self, subscription_id: str, resource_group: str, credential: Any = None) -> None:
        self.arm = arm_session(credential)
        self.base = (
            f"{resource_manager()}/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
            "/providers/Microsoft.Web/sites"
        )

    def _call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        response = self.arm.request(
            method, f"{self.base}{path}", params={"api-version": API_VERSION}, **kwargs
        )
        return raise_for_azure(response)

    def create(self, name: str, location: str = "westeurope", settings: dict[str, str] | None = None) -> Any:
        app_settings = [{"name": k, "value": v} for k, v in (settings or {}).items()]
        body = {
            "location": location,
            "kind": "functionapp,linux",
            "properties": {
                "reserved": True,
                "siteConfig": {"linuxFxVersion": "Python|3.11", "appSettings": app_settings},
            },
        }
        return self._call("PUT", f"/{name}", json=body)

    def get(self, name: str) -> Any:
        return self._call("GET", f"/{name}")

    def names(self) -> list[str]:
        return [site["name"] for site in self._call("GET")["value"]]

    def scm_url(self, name: str) -> str:
        states = self.get(name)["properties"]["hostNameSslStates"]
        return "https://" + str(next(s["name"] for s in states if s["hostType"] == "Repository"))

    def deploy(self, name: str, folder: str | Path) -> Any:
        """Kudu zip deploy (``az functionapp deployment source config-zip``); the deployment's status."""
        response = self.arm.post(
            f"{self.scm_url(name)}/api/zipdeploy", data=zip_folder(folder), params={"isAsync": "true"}
        )
        raise_for_azure(response)
        return raise_for_azure(self.arm.get(response.headers["Location"]))

    def functions(self, name: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/{name}/functions")["value"])

    def host_key(self, name: str) -> str:
        return str(self._call("POST", f"/{name}/host/default/listkeys")["functionKeys"]["default"])

    def url(self, name: str, route: str) -> str:
        return f"https://{self.get(name)['properties']['defaultHostName']}/api/{route.lstrip('/')}"

    def call(self, name: str, route: str, method: str = "GET", **kwargs: Any) -> requests.Response:
        import requests

        headers = {"x-functions-key": self.host_key(name), **kwargs.pop("headers", {})}
        return requests.request(method, self.url(name, route), headers=headers, timeout=60, **kwargs)

    def logs(self, name: str) -> str:
        return str(self.arm.get(f"{self.scm_url(name)}/api/logstream", timeout=30).text)

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/{name}")
