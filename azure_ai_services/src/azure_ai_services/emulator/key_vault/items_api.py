"""What secrets and keys share in Key Vault's API: listing, versions, soft delete, recover and purge."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

from azure_ai_services.emulator.key_vault.challenge import require_token
from azure_ai_services.emulator.key_vault.vault import RETENTION_DAYS, Collection, Item, Vault, Version

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request


def vault_url(request: Request) -> str:
    return request.host_url.rstrip("/")


class VaultItemsAPI(abc.ABC):
    """Routes under ``/{path}`` and ``/deleted{path}`` of one collection; subclasses shape the bundles."""

    path: str  # "secrets" or "keys"

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    @abc.abstractmethod
    def collection(self) -> Collection: ...

    @abc.abstractmethod
    def bundle(self, request: Request, name: str, version: Version) -> dict[str, Any]:
        """The full bundle of one version (its value or key)."""

    @abc.abstractmethod
    def item(
        self, request: Request, name: str, version: Version, *, versioned: bool = False
    ) -> dict[str, Any]:
        """The listed shape: id (or kid), attributes, tags; the id names the version when ``versioned``."""

    def shared_routes(self, table: AzureRoutes) -> AzureRoutes:
        table.add("GET", f"/{self.path}", self.list)
        table.add("GET", f"/{self.path}/{{name}}/versions", self.versions)
        table.add("DELETE", f"/{self.path}/{{name}}", self.delete)
        table.add("GET", f"/deleted{self.path}", self.list_deleted)
        table.add("GET", f"/deleted{self.path}/{{name}}", self.get_deleted)
        table.add("DELETE", f"/deleted{self.path}/{{name}}", self.purge)
        table.add("POST", f"/deleted{self.path}/{{name}}/recover", self.recover)
        return table

    def list(self, request: Request) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            items = [self.item(request, i.name, i.latest) for i in self.collection().live.values()]
        return {"value": items, "nextLink": None}

    def versions(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            found, _ = self.collection().get(name)
            items = [self.item(request, name, v, versioned=True) for v in found.versions]
        return {"value": items, "nextLink": None}

    def delete(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self.deleted(request, self.collection().delete(name))

    def get_deleted(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self.deleted(request, self.collection().deleted_item(name))

    def list_deleted(self, request: Request) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            items = [self.deleted(request, i, listed=True) for i in self.collection().deleted.values()]
        return {"value": items, "nextLink": None}

    def purge(self, request: Request, name: str) -> None:
        require_token(request)
        with self.vault.lock:
            self.collection().purge(name)

    def recover(self, request: Request, name: str) -> dict[str, Any]:
        require_token(request)
        with self.vault.lock:
            return self.bundle(request, name, self.collection().recover(name).latest)

    def deleted(self, request: Request, item: Item, *, listed: bool = False) -> dict[str, Any]:
        """A deleted bundle (or, ``listed``, a deleted item) with its recovery id and dates."""
        shape = (
            self.item(request, item.name, item.latest, versioned=True)
            if listed
            else self.bundle(request, item.name, item.latest)
        )
        shape.update(
            recoveryId=f"{vault_url(request)}/deleted{self.path}/{item.name}",
            deletedDate=item.deleted_on,
            scheduledPurgeDate=item.deleted_on + RETENTION_DAYS * 86400,
        )
        return shape
