"""Conformance tests for EventService: EventBridge patterns route events to callables and functions."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import CloudError, InvalidArgument, NotFound
from multi_cloud.core.types import Event

RECORDER_SOURCE = """
import json
import pathlib


def handler(event, context):
    pathlib.Path(event["detail"]["out"]).write_text(json.dumps(event))
    return {"stored": True}
"""


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` (providers may deliver asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class EventConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_matching_events_reach_a_callable_target(self, provider: CloudProvider) -> None:
        bus = _name("bus")
        received: list[Event] = []
        pattern = {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">", 100]}]}}
        provider.events.put_rule(bus, "big-orders", pattern, received.append)
        big = provider.events.publish(bus, Event("shop.orders", "OrderPlaced", {"total": 250, "id": "a"}))
        small = provider.events.publish(bus, Event("shop.orders", "OrderPlaced", {"total": 20, "id": "b"}))
        other = provider.events.publish(bus, Event("shop.returns", "OrderPlaced", {"total": 900, "id": "c"}))
        assert big.matched_rules == ("big-orders",)
        assert small.matched_rules == () and other.matched_rules == ()
        assert big.event_id and big.event_id != small.event_id
        assert wait_for(lambda: len(received) == 1)
        time.sleep(0.1)
        assert [e.detail["id"] for e in received] == ["a"]
        assert received[0].id == big.event_id and received[0].detail_type == "OrderPlaced"

    def test_rules_are_per_bus_and_each_matching_rule_fires(self, provider: CloudProvider) -> None:
        bus, other_bus = _name("bus"), _name("bus")
        seen: dict[str, list[str]] = {"prefix": [], "suffix": [], "elsewhere": []}
        provider.events.put_rule(
            bus,
            "r-prefix",
            {"detail": {"file": [{"prefix": "img/"}]}},
            lambda e: seen["prefix"].append(e.detail["file"]),
        )
        provider.events.put_rule(
            bus,
            "r-suffix",
            {"detail": {"file": [{"suffix": ".png"}]}},
            lambda e: seen["suffix"].append(e.detail["file"]),
        )
        provider.events.put_rule(
            other_bus, "r-any", {"source": ["files"]}, lambda e: seen["elsewhere"].append(e.detail["file"])
        )
        result = provider.events.publish(bus, Event("files", "Uploaded", {"file": "img/cat.png"}))
        assert sorted(result.matched_rules) == ["r-prefix", "r-suffix"]
        provider.events.publish(bus, Event("files", "Uploaded", {"file": "doc/readme.md"}))
        assert wait_for(lambda: seen["prefix"] == ["img/cat.png"] and seen["suffix"] == ["img/cat.png"])
        assert seen["elsewhere"] == []

    def test_function_target_receives_the_eventbridge_envelope(
        self, provider: CloudProvider, tmp_path: Path
    ) -> None:
        source = tmp_path / "recorder"
        source.mkdir()
        (source / "recorder.py").write_text(RECORDER_SOURCE)
        function, bus, out = _name("recorder"), _name("bus"), tmp_path / "envelope.json"
        provider.functions.deploy(function, str(source), "recorder.handler")
        provider.events.put_rule(bus, "to-function", {"detail-type": ["Ping"]}, function)
        published = provider.events.publish(bus, Event("tests", "Ping", {"out": str(out), "n": 7}))
        assert wait_for(out.exists)
        envelope = json.loads(out.read_text())
        assert envelope["id"] == published.event_id
        assert envelope["source"] == "tests" and envelope["detail-type"] == "Ping"
        assert envelope["detail"]["n"] == 7
        assert {"version", "account", "time", "region", "resources"} <= set(envelope)

    def test_delete_rule_stops_routing(self, provider: CloudProvider) -> None:
        bus = _name("bus")
        received: list[Event] = []
        provider.events.put_rule(bus, "r", {"source": ["s"]}, received.append)
        provider.events.delete_rule(bus, "r")
        assert provider.events.publish(bus, Event("s", "T", {})).matched_rules == ()
        time.sleep(0.1)
        assert received == []
        with pytest.raises(NotFound):
            provider.events.delete_rule(bus, "r")

    def test_a_function_target_must_be_deployed_first(self, provider: CloudProvider) -> None:
        bus = _name("bus")
        provider.events.put_rule(bus, "other", {"source": ["s"]}, lambda e: None)
        with pytest.raises(NotFound):
            provider.events.put_rule(bus, "to-nowhere", {"source": ["s"]}, _name("no-such-function"))
        assert provider.events.publish(bus, Event("s", "T", {})).matched_rules == ("other",)

    def test_invalid_patterns_are_rejected(self, provider: CloudProvider) -> None:
        bus = _name("bus")
        for bad in (
            {"source": "not-an-array"},
            {"detail": {"n": [{"numeric": [">"]}]}},
            {"x": [{"nope": 1}]},
        ):
            with pytest.raises((InvalidArgument, CloudError)):
                provider.events.put_rule(bus, "bad", bad, lambda e: None)
