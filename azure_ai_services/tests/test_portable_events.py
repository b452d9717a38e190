"""EventGridEvents: the EventService conformance suite plus the Event Grid resources the adapter creates."""

from __future__ import annotations

import uuid

import pytest
from azure_ai_services.client import AzureProvider
from azure_ai_services.serverless.event_grid_filters import event_grid_filter
from multi_cloud.core.types import Event
from multi_cloud.testing.conformance.events import EventConformance, wait_for


@pytest.fixture
def provider(azure_env: dict[str, str]) -> AzureProvider:
    return AzureProvider()


class TestAzureEvents(EventConformance):
    pass


def test_rules_are_event_grid_subscriptions_with_translated_filters(provider: AzureProvider) -> None:
    from azure_ai_services.serverless.event_grid import EventGridTopics
    from azure_ai_services.serverless.portable_events import subscription_name, topic_name

    bus = f"bus-{uuid.uuid4().hex[:8]}"
    pattern = {
        "detail-type": ["OrderPlaced"],
        "detail": {"total": [{"numeric": [">=", 10]}], "sku": [{"anything-but": "x"}]},
    }
    received: list[Event] = []
    provider.events.put_rule(bus, "orders", pattern, received.append)
    azure = provider.settings.azure
    topics = EventGridTopics(azure.subscription_id, azure.resource_group)
    assert topic_name(bus) in topics.names()
    found = topics._call(
        "GET",
        f"/{topic_name(bus)}/providers/Microsoft.EventGrid/eventSubscriptions/{subscription_name('orders')}",
    )
    grid_filter = found["properties"]["filter"]
    assert grid_filter["includedEventTypes"] == ["OrderPlaced"]
    keys = [(f["operatorType"], f["key"]) for f in grid_filter["advancedFilters"]]
    assert keys == [("NumberGreaterThanOrEquals", "data.detail.total"), ("StringContains", "subject")]
    # anything-but is beyond Event Grid: the publisher's match decides, through the subject tag
    assert (
        provider.events.publish(bus, Event("s", "OrderPlaced", {"total": 12, "sku": "x"})).matched_rules == ()
    )
    assert (
        provider.events.publish(bus, Event("s", "orderplaced", {"total": 12, "sku": "y"})).matched_rules == ()
    )
    hit = provider.events.publish(bus, Event("s", "OrderPlaced", {"total": 12, "sku": "y"}))
    assert hit.matched_rules == ("orders",)
    assert wait_for(lambda: len(received) == 1)
    assert received[0].id == hit.event_id and received[0].detail["sku"] == "y"
    metrics = topics.metrics(topic_name(bus))
    assert metrics["PublishSuccessCount"] == 3 and metrics["MatchedEventCount"] == 1


def test_filters_carry_only_what_event_grid_tests_exactly() -> None:
    translated = event_grid_filter(
        {
            "source": ["shop"],
            "detail": {
                "file": [{"prefix": "img/"}],
                "n": [1, 2],
                "deep": {"x": ["y"]},
                "w": [{"wildcard": "a*"}],
            },
        },
        "/r/",
    )
    assert "includedEventTypes" not in translated
    assert translated["advancedFilters"] == [
        {"operatorType": "StringIn", "key": "data.source", "values": ["shop"]},
        {"operatorType": "StringBeginsWith", "key": "data.detail.file", "values": ["img/"]},
        {"operatorType": "NumberIn", "key": "data.detail.n", "values": [1, 2]},
        {"operatorType": "StringContains", "key": "subject", "values": ["/r/"]},
    ]


def test_rule_names_differing_by_case_stay_apart(provider: AzureProvider) -> None:
    bus = f"bus-{uuid.uuid4().hex[:8]}"
    seen: dict[str, list[str]] = {"big": [], "Big": []}
    provider.events.put_rule(bus, "big", {"detail": {"n": [1]}}, lambda e: seen["big"].append(e.id))
    provider.events.put_rule(bus, "Big", {"detail": {"n": [2]}}, lambda e: seen["Big"].append(e.id))
    one = provider.events.publish(bus, Event("s", "T", {"n": 1}))
    two = provider.events.publish(bus, Event("s", "T", {"n": 2}))
    assert one.matched_rules == ("big",) and two.matched_rules == ("Big",)
    assert wait_for(lambda: seen == {"big": [one.event_id], "Big": [two.event_id]})
