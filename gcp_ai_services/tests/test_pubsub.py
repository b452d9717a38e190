"""Pub/Sub over REST with the plain PublisherClient and SubscriberClient: admin, pull and push."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from google.api_core import exceptions as gx
from google.cloud import pubsub_v1

from .conftest import status_of

PROJECT = "learner-project"


@pytest.fixture
def publisher(endpoint: dict[str, Any]) -> Any:
    return pubsub_v1.PublisherClient(**endpoint)


@pytest.fixture
def subscriber(endpoint: dict[str, Any]) -> Any:
    return pubsub_v1.SubscriberClient(**endpoint)


@pytest.fixture
def topic(publisher: Any) -> str:
    name = publisher.topic_path(PROJECT, "orders")
    publisher.create_topic(name=name)
    return str(name)


def _subscription(subscriber: Any, topic: str, sub_id: str = "orders-sub", **config: Any) -> str:
    name = subscriber.subscription_path(PROJECT, sub_id)
    subscriber.create_subscription(request={"name": name, "topic": topic, **config})
    return str(name)


def test_publish_then_pull_delivers_data_attributes_and_ordering_key(
    publisher: Any, subscriber: Any, topic: str
) -> None:
    subscription = _subscription(subscriber, topic)
    ids = [publisher.publish(topic, f"order {n}".encode(), shop="berlin").result() for n in range(3)]
    assert len(set(ids)) == 3
    publisher.api.publish(topic=topic, messages=[{"data": b"keyed", "ordering_key": "customer-7"}])
    response = subscriber.pull(subscription=subscription, max_messages=2)
    assert [m.message.data for m in response.received_messages] == [b"order 0", b"order 1"]
    assert response.received_messages[0].message.attributes["shop"] == "berlin"
    rest = subscriber.pull(subscription=subscription, max_messages=10).received_messages
    assert [m.message.data for m in rest] == [b"order 2", b"keyed"]
    assert rest[1].message.ordering_key == "customer-7"
    every = [m.ack_id for m in response.received_messages] + [m.ack_id for m in rest]
    subscriber.acknowledge(subscription=subscription, ack_ids=every)
    empty = subscriber.pull(
        request={"subscription": subscription, "max_messages": 5, "return_immediately": True}
    )
    assert not empty.received_messages


def test_unacknowledged_messages_come_back_after_the_ack_deadline(
    publisher: Any, subscriber: Any, topic: str
) -> None:
    subscription = _subscription(subscriber, topic, ack_deadline_seconds=10)
    publisher.publish(topic, b"retry me").result()
    first = subscriber.pull(subscription=subscription, max_messages=1).received_messages[0]
    again = subscriber.pull(
        request={"subscription": subscription, "max_messages": 1, "return_immediately": True}
    )
    assert not again.received_messages  # leased for 10 s
    subscriber.modify_ack_deadline(subscription=subscription, ack_ids=[first.ack_id], ack_deadline_seconds=0)
    redelivered = subscriber.pull(subscription=subscription, max_messages=1).received_messages[0]
    assert redelivered.message.message_id == first.message.message_id
    assert redelivered.ack_id != first.ack_id


def test_with_ordering_a_key_waits_until_its_earlier_message_is_acknowledged(
    publisher: Any, subscriber: Any, topic: str
) -> None:
    subscription = _subscription(subscriber, topic, enable_message_ordering=True)
    messages = [{"data": b"a1", "ordering_key": "a"}, {"data": b"a2", "ordering_key": "a"}, {"data": b"b1"}]
    publisher.api.publish(topic=topic, messages=messages)
    (first,) = subscriber.pull(subscription=subscription, max_messages=1).received_messages
    assert first.message.data == b"a1"
    (other,) = subscriber.pull(subscription=subscription, max_messages=10).received_messages
    assert other.message.data == b"b1"  # a2 waits for a1
    subscriber.acknowledge(subscription=subscription, ack_ids=[first.ack_id, other.ack_id])
    (second,) = subscriber.pull(subscription=subscription, max_messages=10).received_messages
    assert second.message.data == b"a2"


def test_topics_and_subscriptions_are_listed_and_deleted(publisher: Any, subscriber: Any, topic: str) -> None:
    subscription = _subscription(subscriber, topic)
    assert [t.name for t in publisher.list_topics(project=f"projects/{PROJECT}")] == [topic]
    assert list(publisher.list_topic_subscriptions(topic=topic)) == [subscription]
    assert subscriber.get_subscription(subscription=subscription).ack_deadline_seconds == 10
    publisher.delete_topic(topic=topic)
    assert subscriber.get_subscription(subscription=subscription).topic == "_deleted-topic_"
    subscriber.delete_subscription(subscription=subscription)
    assert not list(subscriber.list_subscriptions(project=f"projects/{PROJECT}"))


def test_bad_requests_get_googles_codes(publisher: Any, subscriber: Any, topic: str) -> None:
    with pytest.raises(gx.NotFound) as missing:
        publisher.get_topic(topic=publisher.topic_path(PROJECT, "nope"))
    assert status_of(missing.value) == "NOT_FOUND" and "nope" in missing.value.message
    with pytest.raises(gx.Conflict) as twice:
        publisher.create_topic(name=topic)
    assert status_of(twice.value) == "ALREADY_EXISTS"
    with pytest.raises(gx.BadRequest) as bad_name:
        publisher.create_topic(name=f"projects/{PROJECT}/topics/goog-reserved")
    assert status_of(bad_name.value) == "INVALID_ARGUMENT"
    with pytest.raises(gx.NotFound):
        _subscription(subscriber, publisher.topic_path(PROJECT, "absent"))
    with pytest.raises(gx.BadRequest) as deadline:
        _subscription(subscriber, topic, ack_deadline_seconds=601)
    assert "ack deadline" in deadline.value.message
    with pytest.raises(gx.BadRequest) as internet:
        _subscription(subscriber, topic, push_config={"push_endpoint": "https://example.com/hook"})
    assert status_of(internet.value) == "INVALID_ARGUMENT" and "loopback" in internet.value.message
    with pytest.raises(gx.BadRequest) as empty:
        publisher.api.publish(topic=topic, messages=[{}])
    assert "empty" in empty.value.message


def test_snapshots_are_unimplemented_naming_the_method(subscriber: Any) -> None:
    with pytest.raises(gx.MethodNotImplemented) as caught:
        subscriber.list_snapshots(project=f"projects/{PROJECT}")
    assert status_of(caught.value) == "UNIMPLEMENTED" and "snapshots" in caught.value.message


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).bodies.append(body)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/push"
    server.shutdown()
    server.server_close()


def test_push_subscriptions_post_the_envelope_to_a_loopback_endpoint(
    publisher: Any, subscriber: Any, topic: str, receiver: str
) -> None:
    subscription = _subscription(subscriber, topic, push_config={"push_endpoint": receiver})
    started = time.monotonic()
    publisher.publish(topic, b"pushed", kind="push").result()
    while not _Receiver.bodies and time.monotonic() - started < 10:
        time.sleep(0.02)
    (body,) = _Receiver.bodies
    assert body["subscription"] == subscription
    assert body["message"]["attributes"] == {"kind": "push"}
    assert body["message"]["data"] == "cHVzaGVk"  # base64 of b"pushed", as Pub/Sub pushes it
