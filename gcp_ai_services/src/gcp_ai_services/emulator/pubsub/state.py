"""Pub/Sub's state: topics, subscriptions and each subscription's messages with their leases (thread-safe).

A published message is copied to every subscription of its topic. ``pull`` leases available messages for
the subscription's ack deadline under a fresh ack ID; an acknowledged message is gone, an expired lease (or
``modifyAckDeadline`` to 0) makes it available again with ``deliveryAttempt`` counted. With
``enableMessageOrdering``, a message waits while an earlier one with its ordering key is outstanding.
Taps (callables given ``(topic, message)``) see every published message: the function triggers use them.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.pubsub.names import already_exists, not_found

DEFAULT_ACK_DEADLINE = 10
MAX_ACK_DEADLINE = 600
DELETED_TOPIC = "_deleted-topic_"
#: a tap sees each published message: (topic name, message JSON)
Tap = Callable[[str, dict[str, Any]], None]


@dataclass
class Pending:
    """A message waiting in one subscription: leased until ``lease_until`` (monotonic) under ``ack_id``."""

    message: dict[str, Any]
    ack_id: str = ""
    lease_until: float = 0.0
    attempts: int = 0


@dataclass
class Subscription:
    config: dict[str, Any]
    pending: list[Pending] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def ack_deadline(self) -> int:
        return int(self.config.get("ackDeadlineSeconds", DEFAULT_ACK_DEADLINE))

    @property
    def push_endpoint(self) -> str:
        return str((self.config.get("pushConfig") or {}).get("pushEndpoint", ""))


class PubSubState:
    """Topics and subscriptions by name; ``changed`` is notified on every publish and lease change."""

    def __init__(self) -> None:
        self.topics: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.taps: list[Tap] = []
        self.changed = threading.Condition()
        self._ids = itertools.count(1)

    def reset(self) -> None:
        with self.changed:
            self.topics.clear()
            self.subscriptions.clear()

    # ------------------------------------------------------------------ topics
    def create_topic(self, topic: dict[str, Any]) -> dict[str, Any]:
        with self.changed:
            if topic["name"] in self.topics:
                raise already_exists(topic["name"])
            self.topics[topic["name"]] = topic
            return topic

    def topic(self, name: str) -> dict[str, Any]:
        with self.changed:
            if name not in self.topics:
                raise not_found(name)
            return self.topics[name]

    def delete_topic(self, name: str) -> None:
        with self.changed:
            if self.topics.pop(name, None) is None:
                raise not_found(name)
            for subscription in self.subscriptions.values():
                if subscription.config.get("topic") == name:
                    subscription.config["topic"] = DELETED_TOPIC

    def list_topics(self, project: str) -> list[dict[str, Any]]:
        with self.changed:
            return [t for name, t in sorted(self.topics.items()) if name.startswith(project + "/topics/")]

    def publish(self, topic: str, messages: list[dict[str, Any]]) -> list[str]:
        """Store each message (id and publish time added) in the topic's subscriptions; their ids."""
        with self.changed:
            if topic not in self.topics:
                raise not_found(topic)
            stamped = []
            for message in messages:
                now = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
                stamped.append({**message, "messageId": str(next(self._ids)), "publishTime": now})
            for subscription in self.subscriptions.values():
                if subscription.config.get("topic") == topic:
                    subscription.pending.extend(Pending(dict(m)) for m in stamped)
            taps = list(self.taps)
            self.changed.notify_all()
        for tap in taps:
            for message in stamped:
                tap(topic, message)
        return [m["messageId"] for m in stamped]

    # ------------------------------------------------------------------ subscriptions
    def create_subscription(self, config: dict[str, Any]) -> dict[str, Any]:
        with self.changed:
            if config["topic"] not in self.topics:
                raise not_found(config["topic"])
            if config["name"] in self.subscriptions:
                raise already_exists(config["name"])
            self.subscriptions[config["name"]] = Subscription(config)
            self.changed.notify_all()
            return config

    def subscription(self, name: str) -> Subscription:
        with self.changed:
            found = self.subscriptions.get(name)
            if found is None:
                raise not_found(name)
            return found

    def delete_subscription(self, name: str) -> None:
        with self.changed:
            if self.subscriptions.pop(name, None) is None:
                raise not_found(name)

    def list_subscriptions(self, prefix: str, topic: str = "") -> list[dict[str, Any]]:
        with self.changed:
            return [
                s.config
                for name, s in sorted(self.subscriptions.items())
                if name.startswith(prefix) and (not topic or s.config.get("topic") == topic)
            ]

    def set_push_config(self, name: str, push_config: dict[str, Any]) -> None:
        with self.changed:
            self.subscription(name).config["pushConfig"] = push_config
            self.changed.notify_all()

    # ------------------------------------------------------------------ delivery
    def lease(self, name: str, max_messages: int) -> list[dict[str, Any]]:
        """Up to ``max_messages`` available messages, leased for the ack deadline (``receivedMessages``)."""
        with self.changed:
            subscription = self.subscription(name)
            now = time.monotonic()
            ordered = bool(subscription.config.get("enableMessageOrdering"))
            held: set[str] = set()  # ordering keys with an earlier message outstanding
            received: list[dict[str, Any]] = []
            for pending in subscription.pending:
                key = str(pending.message.get("orderingKey", "")) if ordered else ""
                if pending.lease_until > now:
                    if key:
                        held.add(key)
                    continue
                if key in held:
                    continue
                if len(received) >= max_messages:
                    break
                pending.ack_id = f"{uuid.uuid4().hex}-{pending.message['messageId']}"
                pending.lease_until = now + subscription.ack_deadline
                pending.attempts += 1
                delivered: dict[str, Any] = {"ackId": pending.ack_id, "message": pending.message}
                if subscription.config.get("deadLetterPolicy"):
                    delivered["deliveryAttempt"] = pending.attempts
                received.append(delivered)
            return received

    def wait_for_messages(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait(timeout)

    def acknowledge(self, name: str, ack_ids: list[str]) -> None:
        """Drop the messages leased under ``ack_ids`` (unknown or expired IDs are ignored, as Google does)."""
        wanted = set(ack_ids)
        with self.changed:
            subscription = self.subscription(name)
            subscription.pending = [p for p in subscription.pending if p.ack_id not in wanted]

    def modify_ack_deadline(self, name: str, ack_ids: list[str], seconds: int) -> None:
        """Extend (or with 0 end) the leases of ``ack_ids`` to ``seconds`` from now."""
        wanted = set(ack_ids)
        with self.changed:
            subscription = self.subscription(name)
            for pending in subscription.pending:
                if pending.ack_id in wanted:
                    pending.lease_until = time.monotonic() + seconds
            self.changed.notify_all()

    def push_subscriptions(self) -> list[Subscription]:
        with self.changed:
            return [s for s in self.subscriptions.values() if s.push_endpoint]


def check_ack_deadline(seconds: Any, *, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else DEFAULT_ACK_DEADLINE
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= MAX_ACK_DEADLINE:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"Invalid ack deadline given: {seconds!r}; it must be between {low} and {MAX_ACK_DEADLINE} "
            "seconds.",
        )
    return seconds
