"""The Azure ML state: ARM resources by kind and name (versions under their container), thread-safe."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

PROVIDER = "Microsoft.MachineLearningServices"


@dataclass(frozen=True)
class Scope:
    """One workspace's ARM id: ``/subscriptions/{s}/resourceGroups/{rg}/providers/...workspaces/{ws}``."""

    subscription: str
    group: str
    workspace: str

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.group}/providers/{PROVIDER}"
            f"/workspaces/{self.workspace}"
        )

    def child(self, kind: str, name: str, version: str = "") -> str:
        path = f"{self.id}/{kind}/{name}"
        return f"{path}/versions/{version}" if version else path


def arm_resource(
    scope: Scope, kind: str, name: str, properties: dict[str, Any], version: str = ""
) -> dict[str, Any]:
    """The ARM envelope ``{"id", "name", "type", "properties", "systemData"}`` of one child resource."""
    kind_type = f"{PROVIDER}/workspaces/{kind}" + ("/versions" if version else "")
    return {
        "id": scope.child(kind, name, version),
        "name": version or name,
        "type": kind_type,
        "properties": properties,
        "systemData": {"createdBy": "local", "createdByType": "User"},
    }


@dataclass
class ResourceStore:
    """``(workspace id, kind, name, version)`` → resource JSON; missing ones are ARM's 404."""

    _items: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, scope: Scope, kind: str, name: str, resource: dict[str, Any], version: str = "") -> None:
        with self._lock:
            self._items[(scope.id.lower(), kind, name, version)] = resource

    def find(self, scope: Scope, kind: str, name: str, version: str = "") -> dict[str, Any] | None:
        with self._lock:
            return self._items.get((scope.id.lower(), kind, name, version))

    def get(self, scope: Scope, kind: str, name: str, version: str = "") -> dict[str, Any]:
        found = self.find(scope, kind, name, version)
        if found is None:
            label = f"{name}:{version}" if version else name
            raise AzureError(
                404, "ResourceNotFound", f"The {kind[:-1]} '{label}' was not found in {scope.id}."
            )
        return found

    def list(self, scope: Scope, kind: str, name: str = "") -> list[dict[str, Any]]:
        """Containers of ``kind`` (``name`` empty) or the versions of ``name``."""
        with self._lock:
            return [
                item
                for (ws, k, n, v), item in self._items.items()
                if ws == scope.id.lower() and k == kind and (n == name and bool(v) if name else not v)
            ]

    def reset(self) -> None:
        with self._lock:
            self._items.clear()
