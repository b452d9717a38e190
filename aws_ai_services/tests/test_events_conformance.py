"""The events conformance suite on AWS: EventBridge rules over the wire to the local cloud."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.serverless.events_service import MAX_RECEIVES, AWSEvents, queue_name
from multi_cloud.core.types import Event
from multi_cloud.testing.conformance.events import EventConformance, wait_for


class TestAWSEventConformance(EventConformance):
    @pytest.fixture
    def provider(self, clean_cloud: Any) -> Iterator[AWSProvider]:
        provider = AWSProvider()
        yield provider
        provider.close()


def test_a_callable_target_reads_the_rule_queue_and_replacing_the_target_removes_it(
    clean_cloud: Any, boto_client: Any
) -> None:
    provider = AWSProvider()
    events = provider.events
    first: list[Event] = []
    second: list[Event] = []
    events.put_rule("orders", "all", {"source": ["shop"]}, first.append)
    events.put_rule("orders", "all", {"source": ["shop"]}, second.append)
    sqs = boto_client("sqs")
    queues = sqs.list_queues(QueueNamePrefix="cloudai-events-orders-all").get("QueueUrls", [])
    targets = boto_client("events").list_targets_by_rule(Rule="all", EventBusName="orders")["Targets"]
    assert len(queues) == 1 and len(targets) == 1
    assert targets[0]["Arn"].endswith(":" + queues[0].rsplit("/", 1)[-1])
    published = events.publish("orders", Event("shop", "OrderPlaced", {"n": 1}))
    assert wait_for(lambda: len(second) == 1)
    assert first == [] and second[0].id == published.event_id and second[0].time is not None
    events.delete_rule("orders", "all")
    assert sqs.list_queues(QueueNamePrefix="cloudai-events-orders-all").get("QueueUrls", []) == []
    provider.close()


def test_queue_names_fit_sqs_rules() -> None:
    name = queue_name("bus.with.dots", "r" * 100)
    assert len(name) <= 80 and set(name) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
    )
    assert queue_name("b", "r") != queue_name("b", "r")


def test_a_failing_callable_gets_the_event_again_up_to_the_limit(clean_cloud: Any) -> None:
    events = AWSEvents(visibility_timeout=0)
    calls: list[str] = []

    def flaky(event: Event) -> None:
        calls.append(event.id)
        if len(calls) < 2:
            raise RuntimeError("first delivery fails")

    def broken(event: Event) -> None:
        calls.append("broken")
        raise RuntimeError("always fails")

    events.put_rule("b", "flaky", {"source": ["f"]}, flaky)
    published = events.publish("b", Event("f", "T", {}))
    assert wait_for(lambda: calls == [published.event_id] * 2)
    events.put_rule("b", "broken", {"source": ["x"]}, broken)
    events.publish("b", Event("x", "T", {}))
    assert wait_for(lambda: calls.count("broken") == MAX_RECEIVES)
    time.sleep(0.5)
    assert calls.count("broken") == MAX_RECEIVES and len(calls) == 2 + MAX_RECEIVES
    events.close()
