"""PubSubEvents: the portable EventService on Pub/Sub (a topic per bus, a subscriber per rule).

Google has no EventBridge-pattern router in Pub/Sub: subscription filters see message attributes only, and
EventBridge patterns test the body (``detail``). So each rule is a pull subscription on its bus's topic
(``cloudai-bus-<bus>``), and a subscriber thread of this object matches the pattern against each message's
EventBridge envelope, as a Pub/Sub application does, then calls the Python callable with the Event or invokes
the Cloud Function (through the portable FunctionService) with the envelope. A target that fails leaves the
message unacknowledged, so Pub/Sub delivers it again, up to ``MAX_DELIVERIES`` times. ``publish`` answers the
rules this object holds that match (rules live in the process that put them; their subscriptions in Pub/Sub).
Google's managed counterpart of EventBridge rules is Eventarc Advanced (message buses and enrollments with
CEL match expressions), which the local cloud does not emulate.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from multi_cloud.core.base import EventService
from multi_cloud.core.envelopes import event_from_envelope, eventbridge_envelope
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Event, EventTarget, PublishResult, SubscribedRule
from multi_cloud.onprem.event_patterns import matches, validate_pattern

from gcp_ai_services.serverless.portable_functions import CloudFunctionsService
from gcp_ai_services.serverless.pubsub import PubSub, Received

MAX_DELIVERIES = 3
ACK_DEADLINE_SECONDS = 10
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger(__name__)


class PubSubEvents(EventService):
    """EventBridge-style rules over Pub/Sub behind :class:`~multi_cloud.core.base.EventService`."""

    def __init__(
        self,
        provider: str = "gcp",
        settings: Settings | None = None,
        *,
        functions: CloudFunctionsService | None = None,
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.pubsub = PubSub(self.settings)
        self.functions = functions or CloudFunctionsService(provider, self.settings)
        self._rules: dict[tuple[str, str], SubscribedRule] = {}
        self._subscribers: dict[tuple[str, str], Subscriber] = {}
        self._lock = threading.Lock()

    def put_rule(self, bus: str, rule: str, pattern: Mapping[str, Any], target: EventTarget) -> None:
        """Create or replace ``rule`` on ``bus`` (its topic is created on first use)."""
        _check_name("bus", bus)
        _check_name("rule", rule)
        validate_pattern(pattern)
        if isinstance(target, str):
            self.functions.functions.get(target)  # NotFound naming it: deploy the function first
        elif not callable(target):
            raise InvalidArgument(
                f"target must be a function name or a callable, not {type(target).__name__}",
                provider=self.provider,
                operation="events.put_rule",
            )
        self._ensure_topic(bus)
        self._drop(bus, rule)
        subscription = f"cloudai-rule-{bus}-{rule}-{uuid.uuid4().hex[:8]}"[:255]
        self.pubsub.create_subscription(
            subscription, topic_name(bus), ack_deadline_seconds=ACK_DEADLINE_SECONDS
        )
        record = SubscribedRule(bus, rule, json.loads(json.dumps(pattern)), target, subscription)
        subscriber = Subscriber(self, record)
        with self._lock:
            self._rules[(bus, rule)] = record
            self._subscribers[(bus, rule)] = subscriber
        subscriber.start()

    def publish(self, bus: str, event: Event) -> PublishResult:
        """Publish the event's envelope to the bus's topic; ``matched_rules`` are this object's matches."""
        _check_name("bus", bus)
        self._ensure_topic(bus)
        stamped = replace(
            event, id=event.id or str(uuid.uuid4()), time=event.time or datetime.now(timezone.utc)
        )
        envelope = self.envelope(stamped)
        with self._lock:
            rules = [r for (b, _), r in sorted(self._rules.items()) if b == bus]
        matched = tuple(r.name for r in rules if matches(r.pattern, envelope))
        self.pubsub.publish(
            topic_name(bus),
            json.dumps(envelope).encode(),
            source=stamped.source,
            detail_type=stamped.detail_type,
        )
        return PublishResult(event_id=stamped.id, matched_rules=matched)

    def delete_rule(self, bus: str, rule: str) -> None:
        if not self._drop(bus, rule):
            raise NotFound(
                f"no rule {rule!r} on bus {bus!r}", provider=self.provider, operation="events.delete_rule"
            )

    def envelope(self, event: Event) -> dict[str, Any]:
        """The EventBridge-shaped JSON function targets receive (account = the project)."""
        return eventbridge_envelope(
            event, account=self.settings.gcp.project, region=self.settings.gcp.location
        )

    def close(self) -> None:
        """Stop every subscriber and delete its subscription (the topics stay)."""
        with self._lock:
            keys = list(self._rules)
        for bus, rule in keys:
            self._drop(bus, rule)

    # ------------------------------------------------------------------ internals
    def deliver(self, rule: SubscribedRule, envelope: Mapping[str, Any]) -> None:
        """Hand one matching envelope to the rule's target; raises when the target failed."""
        if isinstance(rule.target, str):
            result = self.functions.invoke(rule.target, dict(envelope))
            if not result.ok:
                raise RuntimeError(f"{rule.target}: {result.error_type}: {result.error_message}")
        else:
            rule.target(event_from_envelope(envelope))

    def _ensure_topic(self, bus: str) -> None:
        try:
            self.pubsub.create_topic(topic_name(bus))
        except AlreadyExists:
            pass

    def _drop(self, bus: str, rule: str) -> bool:
        with self._lock:
            record = self._rules.pop((bus, rule), None)
            subscriber = self._subscribers.pop((bus, rule), None)
        if subscriber is not None:
            subscriber.stop()
        if record is not None:
            try:
                self.pubsub.delete_subscription(record.subscription)
            except NotFound:
                pass
        return record is not None


class Subscriber(threading.Thread):
    """Pulls one rule's subscription; acknowledges what matched and was delivered, or did not match."""

    def __init__(self, events: PubSubEvents, rule: SubscribedRule) -> None:
        super().__init__(name=f"pubsub-rule-{rule.bus}-{rule.name}", daemon=True)
        self.events, self.rule = events, rule
        self._stopped = threading.Event()
        self._failures: dict[str, int] = {}

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                received = self.events.pubsub.pull(self.rule.subscription, max_messages=10)
            except Exception:  # noqa: BLE001 - the subscription is gone (rule deleted, cloud reset): stop
                return
            handled = {message.ack_id: self._handled(message) for message in received}
            done = [ack for ack, ok in handled.items() if ok]
            retry = [ack for ack, ok in handled.items() if not ok]
            try:
                if done and not self._stopped.is_set():
                    self.events.pubsub.acknowledge(self.rule.subscription, done)
                if retry:  # a deadline of 0 hands the failed messages out again at once
                    self.events.pubsub.extend(self.rule.subscription, retry, 0)
            except Exception:  # noqa: BLE001 - as above
                return

    def _handled(self, message: Received) -> bool:
        """True when the message can be acknowledged: delivered, not matching, or out of retries."""
        envelope = json.loads(message.data)
        if not matches(self.rule.pattern, envelope):
            return True
        try:
            self.events.deliver(self.rule, envelope)
        except Exception:  # noqa: BLE001 - the target's failure: Pub/Sub delivers the message again
            attempts = self._failures[message.message_id] = self._failures.get(message.message_id, 0) + 1
            log.exception("event target failed (delivery %d of %d)", attempts, MAX_DELIVERIES)
            return attempts >= MAX_DELIVERIES
        return True


def topic_name(bus: str) -> str:
    return f"cloudai-bus-{bus}"


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(f"invalid {kind} name {name!r}: use 1-64 letters, digits, '.', '-' or '_'")
