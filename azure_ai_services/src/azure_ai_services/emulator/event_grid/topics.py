"""Event Grid's state: custom topics with their keys, event subscriptions, delivery records and metrics."""

from __future__ import annotations

import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

PROVIDER = "Microsoft.EventGrid"
_NAME = re.compile(r"^[A-Za-z0-9-]{3,50}$")
#: where a topic's data plane lives below the emulator (``https://127.0.0.1:PORT/eventgrid/...``)
MOUNT = "/eventgrid"
MAX_RECORDS = 1000


def topic_id(subscription: str, group: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{PROVIDER}/topics/{name}"


@dataclass
class EventSubscription:
    name: str
    scope: str
    properties: dict[str, Any]
    #: every delivery attempt's outcome: ``{"eventId", "attempt", "status", "error", "time"}``
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.scope}/providers/{PROVIDER}/eventSubscriptions/{self.name}"

    def arm(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": f"{PROVIDER}/eventSubscriptions",
            "properties": {**self.properties, "topic": self.scope, "provisioningState": "Succeeded"},
        }


@dataclass
class Topic:
    subscription: str
    group: str
    name: str
    location: str
    input_schema: str
    tags: dict[str, str] = field(default_factory=dict)
    key1: str = field(default_factory=lambda: secrets.token_urlsafe(33))
    key2: str = field(default_factory=lambda: secrets.token_urlsafe(33))
    subscriptions: dict[str, EventSubscription] = field(default_factory=dict)
    metrics: Counter[str] = field(default_factory=Counter)

    @property
    def id(self) -> str:
        return topic_id(self.subscription, self.group, self.name)

    def endpoint(self, base: str) -> str:
        return f"{base.rstrip('/')}{MOUNT}/{self.subscription}/{self.group}/{self.name}/api/events"

    def arm(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": f"{PROVIDER}/topics",
            "location": self.location,
            "tags": self.tags,
            "properties": {
                "provisioningState": "Succeeded",
                "endpoint": self.endpoint(base),
                "inputSchema": self.input_schema,
                "publicNetworkAccess": "Enabled",
                "disableLocalAuth": False,
            },
        }


class Topics:
    """Every topic by ARM id (lower-cased, as ARM compares ids)."""

    def __init__(self) -> None:
        self.topics: dict[str, Topic] = {}
        self.lock = threading.RLock()

    def put(self, subscription: str, group: str, name: str, body: dict[str, Any]) -> tuple[Topic, bool]:
        from azure_ai_services.emulator.event_grid.schemas import EVENT_GRID_SCHEMA, SCHEMAS

        if not _NAME.match(name):
            raise AzureError(
                400,
                "InvalidRequest",
                f"Topic name '{name}' is invalid: use 3-50 letters, digits and hyphens.",
            )
        location = str(body.get("location") or "")
        if not location:
            raise AzureError(
                400, "LocationRequired", "The location property is required for this definition."
            )
        schema = str((body.get("properties") or {}).get("inputSchema") or EVENT_GRID_SCHEMA)
        if schema not in SCHEMAS:
            raise AzureError(
                400,
                "InvalidRequest",
                f"Input schema '{schema}' is not supported; use one of {', '.join(SCHEMAS)}.",
            )
        key = topic_id(subscription, group, name).lower()
        with self.lock:
            existing = self.topics.get(key)
            if existing is not None:
                if existing.input_schema != schema:
                    raise AzureError(400, "InvalidRequest", "The input schema of a topic cannot be changed.")
                existing.tags = dict(body.get("tags") or existing.tags)
                return existing, False
            topic = Topic(subscription, group, name, location, schema, dict(body.get("tags") or {}))
            self.topics[key] = topic
            return topic, True

    def get(self, subscription: str, group: str, name: str) -> Topic:
        with self.lock:
            topic = self.topics.get(topic_id(subscription, group, name).lower())
        if topic is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"The Resource '{PROVIDER}/topics/{name}' under resource group '{group}' was not found.",
            )
        return topic

    def remove(self, topic: Topic) -> None:
        with self.lock:
            self.topics.pop(topic.id.lower(), None)

    def all(self) -> list[Topic]:
        with self.lock:
            return list(self.topics.values())

    def reset(self) -> None:
        with self.lock:
            self.topics.clear()
