"""Text blocklists: named lists of terms, matched case-insensitively on word boundaries."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

NAME = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
MAX_ITEM_CHARS = 128
MAX_ITEMS_PER_REQUEST = 100
MAX_ITEMS_PER_LIST = 10_000
MAX_LISTS = 10_000


def invalid_body(message: str) -> AzureError:
    return AzureError(400, "InvalidRequestBody", message)


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise AzureError(
            400,
            "InvalidResourceName",
            f"The blocklist name {name!r} is invalid: use 1 to 64 letters, digits, '-' or '_'.",
        )
    return name


@dataclass
class Blocklist:
    name: str
    description: str = ""
    items: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> {"blocklistItemId", ...}

    def describe(self) -> dict[str, str]:
        return {"blocklistName": self.name, "description": self.description}


class Blocklists:
    """Blocklists by name (names are case-sensitive in the URL, compared case-insensitively here)."""

    def __init__(self) -> None:
        self._lists: dict[str, Blocklist] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._lists.clear()

    def get(self, name: str) -> Blocklist:
        with self._lock:
            found = self._lists.get(check_name(name).lower())
        if found is None:
            raise AzureError(404, "ResourceNotFound", f"Blocklist {name!r} is not found.")
        return found

    def all(self) -> list[Blocklist]:
        with self._lock:
            return sorted(self._lists.values(), key=lambda b: b.name)

    def create_or_update(self, name: str, description: Any) -> tuple[Blocklist, bool]:
        """``(blocklist, created)``: a merge-patch of the description."""
        check_name(name)
        if description is not None and not isinstance(description, str):
            raise invalid_body("description must be a string.")
        with self._lock:
            found = self._lists.get(name.lower())
            created = found is None
            if found is None:
                if len(self._lists) >= MAX_LISTS:
                    raise invalid_body(f"At most {MAX_LISTS} blocklists are allowed per resource.")
                found = self._lists[name.lower()] = Blocklist(name)
            if description is not None:
                found.description = description[:1024]
        return found, created

    def delete(self, name: str) -> None:
        check_name(name)
        with self._lock:
            self._lists.pop(name.lower(), None)

    def add_items(self, name: str, items: Any) -> list[dict[str, str]]:
        blocklist = self.get(name)
        if not isinstance(items, list) or not items:
            raise invalid_body("blocklistItems must be a non-empty array.")
        if len(items) > MAX_ITEMS_PER_REQUEST:
            raise invalid_body(f"At most {MAX_ITEMS_PER_REQUEST} blocklist items can be added per request.")
        added = []
        with self._lock:
            for position, item in enumerate(items):
                text = item.get("text") if isinstance(item, dict) else None
                if not isinstance(text, str) or not text.strip():
                    raise invalid_body(f"blocklistItems[{position}].text is required.")
                if len(text) > MAX_ITEM_CHARS:
                    raise invalid_body(
                        f"blocklistItems[{position}].text is longer than {MAX_ITEM_CHARS} characters."
                    )
                existing = next((i for i in blocklist.items.values() if i["text"] == text), None)
                record = existing or {"blocklistItemId": str(uuid.uuid4()), "text": text, "description": ""}
                record["description"] = str(item.get("description") or record["description"])
                if existing is None and len(blocklist.items) >= MAX_ITEMS_PER_LIST:
                    raise invalid_body(f"A blocklist holds at most {MAX_ITEMS_PER_LIST} items.")
                blocklist.items[record["blocklistItemId"]] = record
                added.append(dict(record))
        return added

    def remove_items(self, name: str, ids: Any) -> None:
        blocklist = self.get(name)
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise invalid_body("blocklistItemIds must be a non-empty array of item ids.")
        with self._lock:
            for item_id in ids:
                blocklist.items.pop(item_id, None)

    def item(self, name: str, item_id: str) -> dict[str, str]:
        found = self.get(name).items.get(item_id)
        if found is None:
            raise AzureError(404, "ResourceNotFound", f"Blocklist item {item_id!r} is not found in {name!r}.")
        return dict(found)

    def matches(self, names: list[str], text: str) -> list[dict[str, str]]:
        """Every item of the named lists found in ``text`` (case-insensitive, whole words)."""
        found = []
        for name in names:
            blocklist = self.get(name)
            for item in list(blocklist.items.values()):
                pattern = rf"(?<!\w){re.escape(item['text'])}(?!\w)"
                if re.search(pattern, text, flags=re.IGNORECASE):
                    found.append(
                        {
                            "blocklistName": blocklist.name,
                            "blocklistItemId": item["blocklistItemId"],
                            "blocklistItemText": item["text"],
                        }
                    )
        return found
