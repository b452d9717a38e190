"""ARM template deployments as Microsoft's REST reference calls them: validate, what-if, deploy, outputs.

Resource groups go through ``ResourceManagementClient`` (azure-mgmt-resource). The lock's azure-mgmt-resource
(26.x) no longer carries the deployments operations (Microsoft moved them to azure-mgmt-resource-deployments),
so deployments use the REST API with a ``DefaultAzureCredential`` token, as ``serverless/arm.py`` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure_ai_services.serverless.arm import arm_session, raise_for_azure, resource_manager

if TYPE_CHECKING:  # pragma: no cover
    import requests

API_VERSION = "2024-03-01"
RESOURCE_GROUPS_DOCS = "https://learn.microsoft.com/rest/api/resources/resource-groups"
DEPLOYMENTS_DOCS = "https://learn.microsoft.com/rest/api/resources/deployments"
TERMINAL = ("Succeeded", "Failed", "Canceled")


class DeploymentFailed(Exception):
    """A deployment that ended ``Failed``: ``code`` is ARM's (``InvalidTemplate``, ``DeploymentFailed``)."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"({error.get('code')}) {error.get('message')}")
        self.code = str(error.get("code", ""))
        self.error = error


def resource_client(subscription_id: str, credential: Any = None) -> Any:
    """``ResourceManagementClient`` for this cloud's Resource Manager (the local one once exported)."""
    from azure.identity import DefaultAzureCredential
    from azure.mgmt.resource.resources import ResourceManagementClient

    return ResourceManagementClient(
        credential or DefaultAzureCredential(),
        subscription_id,
        base_url=resource_manager(),
        credential_scopes=["https://management.azure.com/.default"],
    )


@dataclass
class ArmDeployments:
    """Deployments into one resource group (created on first use by :meth:`ensure_group`)."""

    subscription_id: str
    resource_group: str
    session: requests.Session | None = None
    poll_seconds: float = 0.5

    def __post_init__(self) -> None:
        self.session = self.session or arm_session()

    @property
    def _base(self) -> str:
        return (
            f"{resource_manager()}/subscriptions/{self.subscription_id}/resourcegroups/{self.resource_group}"
            "/providers/Microsoft.Resources/deployments"
        )

    def ensure_group(self, location: str) -> Any:
        """``resource_groups.create_or_update`` (idempotent)."""
        return resource_client(self.subscription_id).resource_groups.create_or_update(
            self.resource_group, {"location": location}
        )

    def delete_group(self) -> None:
        """Deletes the group and everything in it (``begin_delete``)."""
        resource_client(self.subscription_id).resource_groups.begin_delete(self.resource_group).result()

    @staticmethod
    def _body(template: dict[str, Any], parameters: dict[str, Any] | None, mode: str) -> dict[str, Any]:
        values = {name: {"value": value} for name, value in (parameters or {}).items()}
        return {"properties": {"template": template, "parameters": values, "mode": mode}}

    def validate(self, name: str, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> Any:
        """``POST .../deployments/{name}/validate``: the resources it would deploy, or ``InvalidTemplate``."""
        assert self.session is not None
        url = f"{self._base}/{name}/validate"
        body = self._body(template, parameters, "Incremental")
        return raise_for_azure(self.session.post(url, params={"api-version": API_VERSION}, json=body))

    def what_if(
        self,
        name: str,
        template: dict[str, Any],
        parameters: dict[str, Any] | None = None,
        mode: str = "Incremental",
    ) -> list[dict[str, Any]]:
        """``POST .../whatIf``: each resource's ``changeType`` (Create, Modify, NoChange, Delete, Ignore)."""
        assert self.session is not None
        url = f"{self._base}/{name}/whatIf"
        body = self._body(template, parameters, mode)
        result = raise_for_azure(self.session.post(url, params={"api-version": API_VERSION}, json=body))
        return list(result["properties"]["changes"])

    def deploy(
        self,
        name: str,
        template: dict[str, Any],
        parameters: dict[str, Any] | None = None,
        mode: str = "Incremental",
        timeout: float = 300.0,
    ) -> dict[str, Any]:
        """``PUT .../deployments/{name}``, polled: the deployment, or DeploymentFailed."""
        assert self.session is not None
        response = self.session.put(
            f"{self._base}/{name}",
            params={"api-version": API_VERSION},
            json=self._body(template, parameters, mode),
        )
        raise_for_azure(response)
        status_url = response.headers["Azure-AsyncOperation"]
        deadline = time.monotonic() + timeout
        while True:
            status = raise_for_azure(self.session.get(status_url))
            if status["status"] in TERMINAL:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"deployment {name} still {status['status']} after {timeout} s")
            time.sleep(float(response.headers.get("Retry-After", self.poll_seconds)) / 2)
        if status["status"] != "Succeeded":
            raise DeploymentFailed(status.get("error") or {"code": status["status"], "message": ""})
        return self.get(name)

    def get(self, name: str) -> dict[str, Any]:
        assert self.session is not None
        return dict(
            raise_for_azure(self.session.get(f"{self._base}/{name}", params={"api-version": API_VERSION}))
        )

    def outputs(self, name: str) -> dict[str, Any]:
        """The deployment's outputs as ``{name: value}``."""
        return {k: v["value"] for k, v in (self.get(name)["properties"].get("outputs") or {}).items()}

    def list(self) -> list[dict[str, Any]]:
        assert self.session is not None
        return list(
            raise_for_azure(self.session.get(self._base, params={"api-version": API_VERSION}))["value"]
        )

    def delete(self, name: str) -> None:
        """Deletes the deployment's record (its resources stay, as in Azure)."""
        assert self.session is not None
        raise_for_azure(self.session.delete(f"{self._base}/{name}", params={"api-version": API_VERSION}))
