"""The local vault's state: versioned secrets and keys, soft delete with recovery and purge."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

RETENTION_DAYS = 90
RECOVERY_LEVEL = "Recoverable+Purgeable"


@dataclass
class Version:
    """One version of a secret or key: its value (or key material), attributes, tags, content type."""

    version: str
    value: Any
    attributes: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    """A secret or key by name: its versions (newest last) and, once deleted, when."""

    name: str
    versions: list[Version] = field(default_factory=list)
    deleted_on: int = 0

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def version(self, version: str) -> Version | None:
        if not version:
            return self.latest
        return next((v for v in self.versions if v.version == version), None)


@dataclass
class Collection:
    """Secrets or keys: live and deleted items, named in Key Vault's error codes (``SecretNotFound``)."""

    kind: str  # "secret" or "key"
    live: dict[str, Item] = field(default_factory=dict)
    deleted: dict[str, Item] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.kind.capitalize()

    def not_found(self, name: str, version: str = "") -> AzureError:
        named = f"{name}/{version}" if version else name
        return AzureError(
            404,
            f"{self.label}NotFound",
            f"A {self.kind} with (name/id) {named} was not found in this key vault. If you recently deleted "
            f"this {self.kind} you may be able to recover it using the correct recovery command.",
        )

    def get(self, name: str, version: str = "") -> tuple[Item, Version]:
        item = self.live.get(name)
        found = item.version(version) if item else None
        if item is None or found is None:
            raise self.not_found(name, version)
        return item, found

    def add_version(self, name: str, value: Any, attributes: dict[str, Any], **fields: Any) -> Version:
        if name in self.deleted:
            raise AzureError(
                409,
                "Conflict",
                f"{self.label} {name} is currently in a deleted but recoverable state, and its name cannot "
                f"be reused; in this state, the {self.kind} can only be recovered or purged.",
            )
        now = int(time.time())
        version = Version(
            uuid.uuid4().hex,
            value,
            {
                "enabled": True,
                **attributes,
                "created": now,
                "updated": now,
                "recoveryLevel": RECOVERY_LEVEL,
                "recoverableDays": RETENTION_DAYS,
            },
            **fields,
        )
        self.live.setdefault(name, Item(name)).versions.append(version)
        return version

    def delete(self, name: str) -> Item:
        if name not in self.live:
            raise self.not_found(name)
        item = self.live.pop(name)
        item.deleted_on = int(time.time())
        self.deleted[name] = item
        return item

    def deleted_item(self, name: str) -> Item:
        if name not in self.deleted:
            raise AzureError(404, f"Deleted{self.label}NotFound", f"Deleted {self.kind} not found: {name}")
        return self.deleted[name]

    def recover(self, name: str) -> Item:
        item = self.deleted_item(name)
        del self.deleted[name]
        item.deleted_on = 0
        self.live[name] = item
        return item

    def purge(self, name: str) -> None:
        self.deleted_item(name)
        del self.deleted[name]


@dataclass
class Vault:
    """The local cloud's one vault (its address is the emulator's: Key Vault IDs have no path prefix)."""

    secrets: Collection = field(default_factory=lambda: Collection("secret"))
    keys: Collection = field(default_factory=lambda: Collection("key"))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.secrets = Collection("secret")
            self.keys = Collection("key")
