"""On-prem events: the shared conformance suite plus retries, dead letters, redrive, persistence, recovery."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.types import Event
from multi_cloud.onprem.event_delivery import RetryPolicy
from multi_cloud.onprem.events import OnPremEvents
from multi_cloud.onprem.functions import OnPremFunctions
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.events import EventConformance

FAST = RetryPolicy(max_attempts=3, initial_backoff_seconds=0.02, multiplier=2.0)

FLAKY_SOURCE = """
import pathlib


def handler(event, context):
    counter = pathlib.Path(event["detail"]["counter"])
    calls = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(calls))
    if calls <= event["detail"]["fail_times"]:
        raise RuntimeError(f"failure number {calls}")
    return {"calls": calls}
"""


class TestOnPremEvents(EventConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> Iterator[OnPremProvider]:
        provider = OnPremProvider(root=tmp_path / "cloud")
        yield provider
        provider.close()


class Flaky:
    """A callable target that fails its first ``failures`` calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[float] = []

    def __call__(self, event: Event) -> None:
        self.calls.append(time.monotonic())
        if len(self.calls) <= self.failures:
            raise ConnectionError(f"target down (call {len(self.calls)})")


@pytest.fixture
def functions(tmp_path: Path) -> Iterator[OnPremFunctions]:
    service = OnPremFunctions("onprem", tmp_path / "functions")
    yield service
    service.close()


@pytest.fixture
def events(tmp_path: Path, functions: OnPremFunctions) -> OnPremEvents:
    return OnPremEvents("onprem", tmp_path / "events", functions, retry=FAST)


def test_retries_with_exponential_backoff_until_delivered(events: OnPremEvents) -> None:
    target = Flaky(failures=2)
    events.put_rule("default", "flaky", {"source": ["app"]}, target)
    events.publish("default", Event("app", "Thing", {"n": 1}))
    assert len(target.calls) == 3
    first_gap, second_gap = target.calls[1] - target.calls[0], target.calls[2] - target.calls[1]
    assert first_gap >= 0.02 and second_gap >= 0.04  # 0.02 s, then doubled
    assert events.dead_letters() == []


def test_exhausted_retries_dead_letter_the_event_durably(
    events: OnPremEvents, tmp_path: Path, functions: OnPremFunctions
) -> None:
    target = Flaky(failures=100)
    events.put_rule("orders", "always-down", {"detail-type": ["Order"]}, target)
    published = events.publish("orders", Event("shop", "Order", {"id": 7}))
    assert len(target.calls) == 3
    (letter,) = events.dead_letters()
    assert letter.bus == "orders" and letter.rule == "always-down" and letter.attempts == 3
    assert letter.last_error == "ConnectionError: target down (call 3)"
    assert letter.target.startswith("callable:") and "Flaky" in letter.target
    assert letter.event["id"] == published.event_id and letter.event["detail"] == {"id": 7}
    reopened = OnPremEvents("onprem", tmp_path / "events", functions, retry=FAST)
    assert [d.id for d in reopened.dead_letters("orders")] == [letter.id]
    assert reopened.dead_letters("other-bus") == []


def test_redrive_delivers_dead_letters_once_the_target_recovers(events: OnPremEvents) -> None:
    target = Flaky(failures=3)  # exactly one publish's worth of attempts fails
    events.put_rule("default", "r", {"source": ["app"]}, target)
    events.publish("default", Event("app", "T", {"n": 1}))
    events.publish("default", Event("app", "T", {"n": 2}))  # succeeds first time
    (letter,) = events.dead_letters()
    assert events.redrive() == [letter.id]
    assert events.dead_letters() == []
    assert len(target.calls) == 5


def test_redrive_keeps_letters_that_fail_again_with_updated_attempts(events: OnPremEvents) -> None:
    events.put_rule("default", "r", {"source": ["app"]}, Flaky(failures=100))
    events.publish("default", Event("app", "T", {}))
    (letter,) = events.dead_letters()
    assert events.redrive([letter.id]) == []
    (again,) = events.dead_letters()
    assert again.id == letter.id and again.attempts == 6


def test_failing_function_target_is_retried_then_succeeds(
    events: OnPremEvents, functions: OnPremFunctions, tmp_path: Path
) -> None:
    source = tmp_path / "flaky"
    source.mkdir()
    (source / "flaky.py").write_text(FLAKY_SOURCE)
    functions.deploy("flaky", str(source), "flaky.handler")
    events.put_rule("default", "to-fn", {"source": ["app"]}, "flaky")
    counter = tmp_path / "counter"
    events.publish("default", Event("app", "T", {"counter": str(counter), "fail_times": 2}))
    assert counter.read_text() == "3" and events.dead_letters() == []
    counter.unlink()
    events.publish("default", Event("app", "T", {"counter": str(counter), "fail_times": 10}))
    (letter,) = events.dead_letters()
    assert letter.target == "function:flaky" and letter.last_error == "RuntimeError: failure number 3"


def test_function_rules_persist_and_unknown_functions_are_refused(
    events: OnPremEvents, functions: OnPremFunctions, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "ok.py").write_text("def handler(event, context):\n    return event['id']\n")
    functions.deploy("ok", str(source), "ok.handler")
    events.put_rule("default", "to-ok", {"source": ["app"]}, "ok")
    events.put_rule("default", "in-memory", {"source": ["app"]}, lambda e: None)
    with pytest.raises(NotFound, match="deploy it first"):
        events.put_rule("default", "dangling", {"source": ["app"]}, "not-deployed")
    reopened = OnPremEvents("onprem", tmp_path / "events", functions, retry=FAST)
    assert [(r.name, r.target) for r in reopened.list_rules("default")] == [("to-ok", "ok")]
    assert reopened.publish("default", Event("app", "T", {})).matched_rules == ("to-ok",)


def test_in_flight_deliveries_survive_a_crash(
    events: OnPremEvents, tmp_path: Path, functions: OnPremFunctions
) -> None:
    def crash(event: Event) -> None:
        raise SystemExit("the process dies mid-delivery")

    events.put_rule("default", "r", {"source": ["app"]}, crash)
    with pytest.raises(SystemExit):
        events.publish("default", Event("app", "T", {"important": True}))
    restarted = OnPremEvents("onprem", tmp_path / "events", functions, retry=FAST)
    (entry,) = restarted.pending()
    assert entry["rule"] == "r" and entry["event"]["detail"] == {"important": True}
    received: list[Event] = []
    restarted.put_rule("default", "r", {"source": ["app"]}, received.append)
    assert restarted.recover_pending() == 1
    assert [e.detail for e in received] == [{"important": True}] and restarted.pending() == []


def test_envelope_shape_and_publish_validation(events: OnPremEvents) -> None:
    envelope = events.envelope(Event("app", "T", {"a": [1, 2]}, id="fixed-id"))
    assert list(envelope) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert envelope["id"] == "fixed-id" and envelope["time"].endswith("Z")
    with pytest.raises(InvalidArgument, match="JSON-serialisable"):
        events.publish("default", Event("app", "T", {"when": object()}))
    with pytest.raises(InvalidArgument, match="source and a detail_type"):
        events.publish("default", Event("", "T", {}))
    with pytest.raises(InvalidArgument, match="256"):
        events.publish("default", Event("app", "T", {"blob": "x" * 300_000}))
    with pytest.raises(InvalidArgument, match="bus name"):
        events.put_rule("bad bus", "r", {"source": ["app"]}, lambda e: None)
    assert OnPremEvents.test_pattern({"detail": {"a": [2]}}, envelope) is True


def test_dead_letter_file_is_json_lines(events: OnPremEvents, tmp_path: Path) -> None:
    events.put_rule("default", "r", {"source": ["app"]}, Flaky(failures=100))
    events.publish("default", Event("app", "T", {}))
    events.publish("default", Event("app", "T", {}))
    lines = (tmp_path / "events" / "dead_letters.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert {"event", "target", "attempts", "last_error"} <= set(json.loads(lines[0]))
