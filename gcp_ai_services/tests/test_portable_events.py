"""The portable EventService on Pub/Sub: EventBridge patterns matched by each rule's subscriber, callables
and Cloud Functions as targets, redelivery of what a target fails on."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from gcp_ai_services.serverless.portable_events import topic_name
from gcp_ai_services.serverless.pubsub import PubSub
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.types import Event
from multi_cloud.testing.conformance.events import EventConformance, wait_for


class TestGCPEvents(EventConformance):
    """The provider-neutral checks: patterns, buses, function targets, delete, bad patterns."""


def test_each_bus_is_a_pubsub_topic_and_each_rule_a_subscription(provider: GCPProvider) -> None:
    provider.events.put_rule("orders", "all", {"source": ["shop"]}, lambda event: None)
    pubsub = PubSub()
    assert pubsub.topic_path(topic_name("orders")) in pubsub.list_topics()
    subscriptions = list(pubsub.subscriber.list_subscriptions(project=f"projects/{pubsub.project}"))
    assert any("cloudai-rule-orders-all-" in s.name for s in subscriptions)
    provider.events.delete_rule("orders", "all")
    left = list(pubsub.subscriber.list_subscriptions(project=f"projects/{pubsub.project}"))
    assert not any("cloudai-rule-orders-all-" in s.name for s in left)


def test_a_failing_callable_gets_the_event_again(provider: GCPProvider) -> None:
    calls: list[str] = []
    done = threading.Event()

    def flaky(event: Event) -> None:
        calls.append(event.id)
        if len(calls) < 2:
            raise RuntimeError("not yet")
        done.set()

    provider.events.put_rule("retry", "flaky", {"detail-type": ["Job"]}, flaky)
    published = provider.events.publish("retry", Event("ci", "Job", {"n": 1}))
    assert done.wait(15)
    assert calls == [published.event_id, published.event_id]


def test_bad_names_and_targets_are_refused(provider: GCPProvider) -> None:
    with pytest.raises(InvalidArgument, match="invalid bus name"):
        provider.events.put_rule("bad bus", "r", {"source": ["s"]}, lambda event: None)
    with pytest.raises(InvalidArgument, match="callable"):
        provider.events.put_rule("bus", "r", {"source": ["s"]}, 42)  # type: ignore[arg-type]


def test_events_published_before_a_rule_exist_are_not_delivered(provider: GCPProvider) -> None:
    received: list[Any] = []
    provider.events.publish("late", Event("s", "T", {"n": 1}))
    provider.events.put_rule("late", "r", {"source": ["s"]}, received.append)
    provider.events.publish("late", Event("s", "T", {"n": 2}))
    assert wait_for(lambda: len(received) == 1)
    assert received[0].detail == {"n": 2}
