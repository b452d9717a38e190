"""Logic Apps (Consumption) workflows through ARM: save a definition, call its Request trigger, read runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azure_ai_services.serverless.arm import arm_session, raise_for_azure, resource_manager

if TYPE_CHECKING:  # pragma: no cover
    import requests

API_VERSION = "2019-05-01"


class LogicAppWorkflows:
    """Workflows in one resource group: create from a definition, trigger, list runs and their actions."""

    def __init__(self, subscription_id: str, resource_group: str, credential: Any = None) -> None:
        self.arm = arm_session(credential)
        self.base = (
            f"{resource_manager()}/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
            "/providers/Microsoft.Logic/workflows"
        )

    def _call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        response = self.arm.request(
            method, f"{self.base}{path}", params={"api-version": API_VERSION}, **kwargs
        )
        return raise_for_azure(response)

    def create(self, name: str, definition: dict[str, Any], location: str = "westeurope") -> Any:
        body = {"location": location, "properties": {"state": "Enabled", "definition": definition}}
        return self._call("PUT", f"/{name}", json=body)

    def names(self) -> list[str]:
        return [workflow["name"] for workflow in self._call("GET")["value"]]

    def callback_url(self, name: str, trigger: str = "manual") -> str:
        return str(self._call("POST", f"/{name}/triggers/{trigger}/listCallbackUrl")["value"])

    def trigger(self, name: str, body: Any = None, trigger: str = "manual") -> requests.Response:
        """POST ``body`` to the Request trigger (the answer of its Response action, or 202)."""
        import requests

        return requests.post(self.callback_url(name, trigger), json=body, timeout=130)

    def runs(self, name: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/{name}/runs")["value"])

    def run(self, name: str, run: str) -> Any:
        return self._call("GET", f"/{name}/runs/{run}")

    def actions(self, name: str, run: str) -> dict[str, dict[str, Any]]:
        """Each action of a run by name: its ``properties`` (status, inputs, outputs, error)."""
        listed = self._call("GET", f"/{name}/runs/{run}/actions")["value"]
        return {action["name"]: action["properties"] for action in listed}

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/{name}")
