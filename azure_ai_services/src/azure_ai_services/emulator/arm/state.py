"""What ARM remembers: resource groups, deployments, and the generic resources recorded for other types."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.operations import AsyncOperationStore


@dataclass
class ResourceGroup:
    subscription: str
    name: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.name}"

    def arm(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": self.location,
            "tags": self.tags,
            "properties": {"provisioningState": "Succeeded"},
        }


@dataclass
class ArmState:
    """Groups by (subscription, name), deployments and generic resources by lower-case id."""

    groups: dict[tuple[str, str], ResourceGroup] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    generic: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: lower-case types recorded generically: their GET of a missing id is 404 ``ResourceNotFound``
    generic_types: set[str] = field(default_factory=set)
    #: lower-case id -> {"id", "type", "apiVersion"} of each resource a deployment created (Complete mode)
    deployed: dict[str, dict[str, str]] = field(default_factory=dict)
    operations: AsyncOperationStore = field(default_factory=AsyncOperationStore)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reset(self) -> None:
        with self.lock:
            self.groups.clear()
            self.deployments.clear()
            self.generic.clear()
            self.generic_types.clear()
            self.deployed.clear()

    def group(self, subscription: str, name: str) -> ResourceGroup:
        found = self.groups.get((subscription.lower(), name.lower()))
        if found is None:
            raise AzureError(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
        return found

    def in_group(self, resource_id: str, group: ResourceGroup) -> bool:
        return resource_id.lower().startswith(group.id.lower() + "/")
