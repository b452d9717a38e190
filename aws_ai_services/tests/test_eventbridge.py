"""EventBridge on the local cloud: pattern rules route events to SQS and Lambda; archives replay them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aws_ai_services.emulator import eventbridge_patterns, lambda_runtime, lambda_triggers
from aws_ai_services.serverless.eventbridge import EventBridgeRouter
from aws_ai_services.serverless.lambda_functions import LambdaFunctions
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.onprem import event_patterns

HANDLERS = Path(__file__).parent / "handlers"

#: (pattern, detail, expected) cases covering event-ruler operators
PATTERN_CASES = [
    ({"detail": {"model": [{"prefix": "churn-"}]}}, {"model": "churn-v3"}, True),
    ({"detail": {"model": [{"prefix": "churn-"}]}}, {"model": "fraud-v1"}, False),
    ({"detail": {"score": [{"numeric": [">=", 0.8, "<", 1]}]}}, {"score": 0.93}, True),
    ({"detail": {"score": [{"numeric": [">=", 0.8, "<", 1]}]}}, {"score": 0.5}, False),
    ({"detail": {"stage": [{"anything-but": ["dev", "test"]}]}}, {"stage": "prod"}, True),
    ({"detail": {"stage": [{"anything-but": ["dev", "test"]}]}}, {"stage": "dev"}, False),
    ({"detail": {"file": [{"suffix": {"equals-ignore-case": ".CSV"}}]}}, {"file": "data/train.csv"}, True),
    (
        {"detail": {"file": [{"wildcard": "data/*/part-*.parquet"}]}},
        {"file": "data/2024/part-1.parquet"},
        True,
    ),
    ({"detail": {"client": [{"cidr": "10.0.0.0/24"}]}}, {"client": "10.0.0.77"}, True),
    ({"detail": {"client": [{"cidr": "10.0.0.0/24"}]}}, {"client": "10.0.1.77"}, False),
    ({"detail": {"error": [{"exists": False}]}}, {"status": "ok"}, True),
    ({"detail": {"tags": ["gpu"]}}, {"tags": ["cpu", "gpu"]}, True),
    ({"$or": [{"detail": {"a": [1]}}, {"detail": {"b": [2]}}]}, {"b": 2}, True),
]


@pytest.fixture(scope="module", autouse=True)
def moto_patches() -> None:
    lambda_runtime.install()  # cloudai.moto_patches entry points do this when the cloud starts; idempotent
    lambda_triggers.install()
    eventbridge_patterns.install()


@pytest.fixture
def router(clean_cloud: Any) -> EventBridgeRouter:
    return EventBridgeRouter()


@pytest.fixture
def queue(boto_client: Callable[..., Any]) -> str:
    return str(boto_client("sqs").create_queue(QueueName="model-events")["QueueUrl"])


def drain(sqs: Any, queue_url: str, expected: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Receive (and delete) messages until ``expected`` arrived or ``timeout`` passed."""
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        for message in answer.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if len(bodies) >= expected:
            time.sleep(0.2)  # and nothing more arrives
            extra = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0).get("Messages", [])
            return bodies + [json.loads(m["Body"]) for m in extra]
        time.sleep(0.05)
    return bodies


def test_rule_routes_only_matching_events_to_sqs(
    router: EventBridgeRouter, queue: str, boto_client: Callable[..., Any]
) -> None:
    router.create_bus("ml-platform")
    pattern = {"source": ["ml.training"], "detail": {"accuracy": [{"numeric": [">=", 0.9]}]}}
    router.put_rule("good-models", pattern, bus="ml-platform")
    router.add_sqs_target("good-models", queue, bus="ml-platform")
    router.publish("ml.training", "JobFinished", {"job": "a", "accuracy": 0.95}, bus="ml-platform")
    router.publish("ml.training", "JobFinished", {"job": "b", "accuracy": 0.71}, bus="ml-platform")
    router.publish("ml.serving", "JobFinished", {"job": "c", "accuracy": 0.99}, bus="ml-platform")
    router.publish("ml.training", "JobFinished", {"job": "d", "accuracy": 0.9})  # the default bus
    delivered = drain(boto_client("sqs"), queue, expected=1)
    assert [event["detail"]["job"] for event in delivered] == ["a"]
    assert delivered[0]["source"] == "ml.training" and delivered[0]["detail-type"] == "JobFinished"
    policy = boto_client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]
    assert "events.amazonaws.com" in policy["Policy"]


def test_lambda_target_runs_the_handler(router: EventBridgeRouter, boto_client: Callable[..., Any]) -> None:
    s3 = boto_client("s3")
    s3.create_bucket(Bucket="event-results")
    lambdas = LambdaFunctions()
    env = {"RESULTS_BUCKET": "event-results", "PREFIX": "events"}
    lambdas.deploy("recorder", str(HANDLERS / "recorder"), "app.handler", environment=env)
    router.put_rule("uploads", {"source": ["app.uploads"], "detail": {"size": [{"numeric": [">", 0]}]}})
    router.add_lambda_target("uploads", "recorder")
    event_id = router.publish("app.uploads", "Uploaded", {"key": "cat.jpg", "size": 2048})
    router.publish("app.uploads", "Uploaded", {"key": "empty.jpg", "size": 0})
    deadline = time.monotonic() + 15
    keys: list[str] = []
    while not keys and time.monotonic() < deadline:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="event-results").get("Contents", [])]
        time.sleep(0.1)
    time.sleep(0.3)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="event-results").get("Contents", [])]
    assert len(keys) == 1
    received = json.loads(s3.get_object(Bucket="event-results", Key=keys[0])["Body"].read())
    assert received["id"] == event_id and received["detail"] == {"key": "cat.jpg", "size": 2048}
    assert received["time"].endswith("Z") and "ingestion-time" not in received


@pytest.mark.parametrize(("pattern", "detail", "expected"), PATTERN_CASES)
def test_test_event_pattern_matches_the_onprem_matcher(
    router: EventBridgeRouter, pattern: dict[str, Any], detail: dict[str, Any], expected: bool
) -> None:
    event = router.envelope("ml.app", "Check", detail)
    assert router.test_event_pattern(pattern, event) is expected
    assert event_patterns.matches(pattern, event) is expected


def test_routing_uses_the_same_semantics(
    router: EventBridgeRouter, queue: str, boto_client: Callable[..., Any]
) -> None:
    router.put_rule(
        "csv-or-gpu", {"$or": [{"detail": {"file": [{"wildcard": "*.csv"}]}}, {"detail": {"tags": ["gpu"]}}]}
    )
    router.add_sqs_target("csv-or-gpu", queue)
    router.put_events(
        [
            {"Source": "s", "DetailType": "t", "Detail": json.dumps(detail)}
            for detail in ({"file": "x.csv"}, {"file": "x.json"}, {"tags": ["cpu", "gpu"]}, {"tags": ["cpu"]})
        ]
    )
    delivered = drain(boto_client("sqs"), queue, expected=2)
    assert sorted(json.dumps(e["detail"]) for e in delivered) == [
        '{"file": "x.csv"}',
        '{"tags": ["cpu", "gpu"]}',
    ]


def test_invalid_patterns_and_events_are_rejected(router: EventBridgeRouter) -> None:
    with pytest.raises(InvalidArgument, match="InvalidEventPatternException") as caught:
        router.put_rule("bad", {"source": "not-a-list"})
    assert "source" in caught.value.message
    with pytest.raises(InvalidArgument, match="numeric"):
        router.put_rule("bad", {"detail": {"score": [{"numeric": [">", "high"]}]}})
    with pytest.raises(InvalidArgument, match="missing required fields: id"):
        router.test_event_pattern({"source": ["a"]}, {"source": "a"})


def test_archive_and_replay_deliver_events_again(
    router: EventBridgeRouter, queue: str, boto_client: Callable[..., Any]
) -> None:
    router.create_bus("orders")
    router.put_rule("all-orders", {"source": ["shop"]}, bus="orders")
    router.add_sqs_target("all-orders", queue, bus="orders")
    router.create_archive("orders-archive", bus="orders", pattern={"source": ["shop"]})
    started = datetime.now(timezone.utc) - timedelta(minutes=1)
    for number in (1, 2):
        router.publish("shop", "OrderPlaced", {"order": number}, bus="orders")
    assert [e["detail"]["order"] for e in drain(boto_client("sqs"), queue, expected=2)] == [1, 2]
    assert router.archive("orders-archive")["EventCount"] == 2
    replay = router.replay("orders-archive", bus="orders", start=started, end=datetime.now(timezone.utc))
    assert replay["State"] == "COMPLETED"
    replayed = drain(boto_client("sqs"), queue, expected=2)
    assert sorted(e["detail"]["order"] for e in replayed) == [1, 2]
    assert {e["replay-name"] for e in replayed} == {replay["ReplayName"]}


def test_unknown_resources_are_not_found(router: EventBridgeRouter) -> None:
    with pytest.raises(NotFound, match="ResourceNotFoundException"):
        router.put_rule("r", {"source": ["a"]}, bus="no-such-bus")
    with pytest.raises(NotFound):
        router.archive("no-such-archive")
    router.create_archive("twice")
    with pytest.raises(AlreadyExists):
        router.create_archive("twice")


def test_delete_bus_removes_its_rules(router: EventBridgeRouter, queue: str) -> None:
    router.create_bus("temp")
    assert router.create_bus("temp").endswith(":event-bus/temp")  # idempotent
    router.put_rule("r1", {"source": ["a"]}, bus="temp")
    router.add_sqs_target("r1", queue, bus="temp")
    assert [r["Name"] for r in router.rules("temp")] == ["r1"]
    router.delete_bus("temp")
    with pytest.raises(NotFound):
        router.rules("temp")
