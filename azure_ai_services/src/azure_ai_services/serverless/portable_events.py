"""EventGridEvents: the portable EventService on Event Grid (a custom topic per bus, a subscription per rule).

Each bus is a custom topic (``cloudai-bus-<bus>``, Event Grid schema); each published event is one Event
Grid event whose ``data`` is the EventBridge envelope, ``eventType`` its ``detail-type``, ``id`` its id.
Each rule is an event subscription whose filter carries what Event Grid can test
(:func:`~azure_ai_services.serverless.event_grid_filters.event_grid_filter`: ``includedEventTypes`` from
``detail-type``, advanced filters on ``data.source`` and ``data.detail.*``). Event Grid cannot evaluate the
rest of an EventBridge pattern (``anything-but``, ``exists``, wildcards, ranges, nested fields, case-sensitive
strings), so :meth:`EventGridEvents.publish` matches the full pattern of every rule this object holds
(:func:`multi_cloud.onprem.event_patterns.matches`), answers those as ``matched_rules``, and writes them into
the event's ``subject`` (``/cloudai/rules/<subscription>/...``); every subscription's last advanced filter
is "``subject`` contains ``/<subscription>/``", so Event Grid delivers exactly the matches. Targets: a
deployed portable function (an ``AzureFunction`` destination: its ``cloudai_events`` Event Grid trigger
receives the envelope) or a Python callable (a ``WebHook`` destination on a loopback server of this object,
which answers Event Grid's validation handshake and calls the callable with the Event; an exception answers
500, and Event Grid retries). Rules live in the process that put them; their subscriptions in Event Grid.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from multi_cloud.core.base import EventService
from multi_cloud.core.envelopes import event_from_envelope, eventbridge_envelope
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Event, EventTarget, PublishResult, SubscribedRule
from multi_cloud.onprem.event_patterns import matches, validate_pattern

from azure_ai_services.serverless.arm import arm_session, raise_for_cloud, resource_manager
from azure_ai_services.serverless.event_grid import API_VERSION, PROVIDER
from azure_ai_services.serverless.event_grid_filters import event_grid_filter
from azure_ai_services.serverless.portable_functions import AzureFunctionsService
from azure_ai_services.serverless.webhook_receiver import WebhookReceiver

MAX_DELIVERY_ATTEMPTS = 3
SUBJECT_PREFIX = "/cloudai/rules/"
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_BUS = re.compile(r"^[A-Za-z0-9-]{1,38}$")


class EventGridEvents(EventService):
    """EventBridge-style rules over Event Grid behind :class:`~multi_cloud.core.base.EventService`."""

    def __init__(
        self,
        provider: str = "azure",
        settings: Settings | None = None,
        *,
        functions: AzureFunctionsService | None = None,
        credential: Any = None,
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.functions = functions or AzureFunctionsService(provider, self.settings, credential)
        self.arm = arm_session(credential)
        azure = self.settings.azure
        self.base = (
            f"{resource_manager()}/subscriptions/{azure.subscription_id}/resourceGroups/"
            f"{azure.resource_group}/providers/{PROVIDER}/topics"
        )
        self._rules: dict[tuple[str, str], SubscribedRule] = {}
        self._publishers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._webhook: WebhookReceiver | None = None

    def put_rule(self, bus: str, rule: str, pattern: Mapping[str, Any], target: EventTarget) -> None:
        """Create or replace ``rule`` on ``bus`` (its topic is created on first use)."""
        _check_name("bus", bus, _BUS)
        _check_name("rule", rule, _NAME)
        validate_pattern(pattern)
        if isinstance(target, str):
            destination = {
                "endpointType": "AzureFunction",
                "properties": {"resourceId": self.functions.function_id(target), "maxEventsPerBatch": 1},
            }
        elif callable(target):
            url = self._receiver().url(f"{bus}/{rule}")
            destination = {"endpointType": "WebHook", "properties": {"endpointUrl": url}}
        else:
            raise InvalidArgument(
                f"target must be a function name or a callable, not {type(target).__name__}",
                provider=self.provider,
                operation="events.put_rule",
            )
        self._ensure_topic(bus)
        record = SubscribedRule(bus, rule, json.loads(json.dumps(pattern)), target, subscription_name(rule))
        with self._lock:  # the webhook may be called during the handshake: the rule must be known
            previous = self._rules.get((bus, rule))
            self._rules[(bus, rule)] = record
        body = {
            "properties": {
                "destination": destination,
                "filter": event_grid_filter(pattern, rule_tag(rule)),
                "eventDeliverySchema": "EventGridSchema",
                "retryPolicy": {"maxDeliveryAttempts": MAX_DELIVERY_ATTEMPTS, "eventTimeToLiveInMinutes": 60},
            }
        }
        try:
            self._call(
                "PUT",
                f"/{topic_name(bus)}/providers/{PROVIDER}/eventSubscriptions/{record.subscription}",
                json=body,
            )
        except Exception:
            with self._lock:
                if previous is None:
                    self._rules.pop((bus, rule), None)
                else:
                    self._rules[(bus, rule)] = previous
            raise

    def publish(self, bus: str, event: Event) -> PublishResult:
        """Send the event to the bus's topic; ``matched_rules`` are the rules of this object it matches."""
        from azure.eventgrid import EventGridEvent

        _check_name("bus", bus, _BUS)
        stamped = replace(
            event, id=event.id or str(uuid.uuid4()), time=event.time or datetime.now(timezone.utc)
        )
        envelope = self.envelope(stamped)
        with self._lock:
            rules = [r for (b, _), r in sorted(self._rules.items()) if b == bus]
        matched = tuple(r.name for r in rules if matches(r.pattern, envelope))
        subject = SUBJECT_PREFIX + "".join(f"{subscription_name(name)}/" for name in matched)
        grid_event = EventGridEvent(
            subject=subject,
            event_type=stamped.detail_type,
            data=envelope,
            data_version="1.0",
            id=stamped.id,
            event_time=stamped.time,
        )
        from azure_ai_services.errors import azure_errors

        with azure_errors("events.publish"):
            self._publisher(bus).send(grid_event)
        return PublishResult(event_id=stamped.id, matched_rules=matched)

    def delete_rule(self, bus: str, rule: str) -> None:
        with self._lock:
            record = self._rules.pop((bus, rule), None)
        if record is None:
            raise NotFound(
                f"no rule {rule!r} on bus {bus!r}", provider=self.provider, operation="events.delete_rule"
            )
        path = f"/{topic_name(bus)}/providers/{PROVIDER}/eventSubscriptions/{record.subscription}"
        try:
            self._call("DELETE", path)
        except NotFound:
            pass

    def envelope(self, event: Event) -> dict[str, Any]:
        """The EventBridge-shaped JSON targets receive (account = the subscription, region = the location)."""
        azure = self.settings.azure
        return eventbridge_envelope(event, account=azure.subscription_id, region=azure.location)

    def close(self) -> None:
        """Delete this object's subscriptions and stop its webhook (the topics stay)."""
        with self._lock:
            keys = list(self._rules)
        for bus, rule in keys:
            self.delete_rule(bus, rule)
        if self._webhook is not None:
            self._webhook.close()
            self._webhook = None

    # ------------------------------------------------------------------ internals
    def deliver(self, path: str, grid_event: Mapping[str, Any]) -> None:
        """A webhook delivery: the callable of the rule at ``path`` (``bus/rule``) gets the Event."""
        bus, _, rule = path.partition("/")
        with self._lock:
            record = self._rules.get((bus, rule))
        if record is None or isinstance(record.target, str):
            return  # the rule was deleted since Event Grid sent this
        record.target(event_from_envelope(grid_event["data"]))

    def _receiver(self) -> WebhookReceiver:
        with self._lock:
            if self._webhook is None:
                self._webhook = WebhookReceiver(self.deliver)
            return self._webhook

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.arm.request(
            method, f"{self.base}{path}", params={"api-version": API_VERSION}, **kwargs
        )
        return raise_for_cloud(response, f"events.{method.lower()}")

    def _ensure_topic(self, bus: str) -> None:
        response = self.arm.get(f"{self.base}/{topic_name(bus)}", params={"api-version": API_VERSION})
        if response.status_code == 404:
            body = {
                "location": self.settings.azure.location,
                "properties": {"inputSchema": "EventGridSchema"},
            }
            self._call("PUT", f"/{topic_name(bus)}", json=body)
        else:
            raise_for_cloud(response, "events.put_rule")

    def _publisher(self, bus: str) -> Any:
        from azure.core.credentials import AzureKeyCredential
        from azure.eventgrid import EventGridPublisherClient

        with self._lock:
            found = self._publishers.get(bus)
        if found is None:
            self._ensure_topic(bus)
            endpoint = self._call("GET", f"/{topic_name(bus)}")["properties"]["endpoint"]
            key = self._call("POST", f"/{topic_name(bus)}/listKeys")["key1"]
            found = EventGridPublisherClient(endpoint, AzureKeyCredential(key))
            with self._lock:
                self._publishers[bus] = found
        return found


def topic_name(bus: str) -> str:
    return f"cloudai-bus-{bus}"


def rule_tag(rule: str) -> str:
    """What the subject holds when the publisher matched ``rule``: its subscription name, unique even where
    Event Grid ignores case (``R`` and ``r`` differ by their hash)."""
    return f"/{subscription_name(rule)}/"


def subscription_name(rule: str) -> str:
    """An event subscription name (3-64 letters, digits, hyphens) unique to ``rule``."""
    readable = re.sub(r"[^A-Za-z0-9-]", "-", rule)[:48]
    return f"rule-{readable}-{hashlib.sha256(rule.encode()).hexdigest()[:8]}"


def _check_name(kind: str, name: str, allowed: re.Pattern[str]) -> None:
    if not isinstance(name, str) or not allowed.match(name):
        raise InvalidArgument(
            f"invalid {kind} name {name!r}: use {allowed.pattern} (letters, digits, hyphens)",
            operation="events.put_rule",
        )
