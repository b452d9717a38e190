"""Event triggers: Pub/Sub messages and Cloud Storage writes delivered as CloudEvents, as Eventarc does.

A function whose ``eventTrigger`` names ``google.cloud.pubsub.topic.v1.messagePublished`` (``pubsubTopic``) or
``google.cloud.storage.object.v1.finalized`` (``eventFilters`` ``bucket``) receives a binary-mode CloudEvent
(``ce-*`` headers, JSON data) through functions-framework, in a background thread per event. Delivery is at
most once (the trigger's default ``RETRY_POLICY_DO_NOT_RETRY``); the function's logs show failures.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from datetime import datetime, timezone
from typing import Any

from gcp_ai_services.emulator.functions.state import FunctionsState

log = logging.getLogger("multi_cloud.emulation")
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
STORAGE_EVENT = "google.cloud.storage.object.v1.finalized"
EVENT_TYPES = (PUBSUB_EVENT, STORAGE_EVENT)


class EventDispatcher:
    """Finds the functions an event triggers and runs each on it."""

    def __init__(self, state: FunctionsState) -> None:
        self.state = state

    def message_published(self, topic: str, message: dict[str, Any]) -> None:
        """A Pub/Sub tap: every function triggered by ``topic`` gets the message."""
        for function in self.state.active():
            trigger = function.get("eventTrigger") or {}
            if trigger.get("eventType") == PUBSUB_EVENT and trigger.get("pubsubTopic") == topic:
                data = {"message": message, "subscription": _subscription(function["name"])}
                source = f"//pubsub.googleapis.com/{topic}"
                self._send(function["name"], PUBSUB_EVENT, source, "", data, message["messageId"])

    def object_finalized(self, bucket: str, metadata: dict[str, Any]) -> None:
        """A Cloud Storage observer: every function filtering on ``bucket`` gets the object's metadata."""
        for function in self.state.active():
            trigger = function.get("eventTrigger") or {}
            filters = {f.get("attribute"): f.get("value") for f in trigger.get("eventFilters") or []}
            if trigger.get("eventType") == STORAGE_EVENT and filters.get("bucket") == bucket:
                source = f"//storage.googleapis.com/projects/_/buckets/{bucket}"
                subject = f"objects/{metadata.get('name', '')}"
                self._send(function["name"], STORAGE_EVENT, source, subject, metadata, uuid.uuid4().hex)

    def _send(self, name: str, kind: str, source: str, subject: str, data: Any, event_id: str) -> None:
        headers = {
            "Content-Type": "application/json",
            "ce-specversion": "1.0",
            "ce-id": event_id,
            "ce-type": kind,
            "ce-source": source,
            "ce-time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        if subject:
            headers["ce-subject"] = subject
        request = {
            "method": "POST",
            "path": "/",
            "query": "",
            "headers": list(headers.items()),
            "body": base64.b64encode(json.dumps(data).encode()).decode("ascii"),
        }
        threading.Thread(
            target=self._run, args=(name, request), name=f"event-{event_id}", daemon=True
        ).start()

    def _run(self, name: str, request: dict[str, Any]) -> None:
        try:
            answer = self.state.runner.request(name, request)
        except Exception:  # noqa: BLE001 - a deleted function or a stopped cloud; nothing to answer
            log.exception("delivering an event to %s failed", name)
            return
        if answer.status >= 300:
            log.info("function %s answered an event with HTTP %s", name, answer.status)


def _subscription(name: str) -> str:
    """The name of the subscription Eventarc would create for the function's trigger."""
    _, project, _, location, _, short = name.split("/")
    return f"projects/{project}/subscriptions/eventarc-{location}-{short}-sub"
