"""The events conformance suite on AWS: EventBridge rules over the wire to the local cloud."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.serverless.events_service import queue_name
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
