"""Pub/Sub for the lessons: topics, pull subscriptions and push subscriptions over the official clients.

:class:`PubSub` wraps ``google.cloud.pubsub_v1``'s ``PublisherClient`` and ``SubscriberClient`` (REST, from
:func:`gcp_ai_services.session.google_client`), names resources in the configured project, and turns
Google's errors into :mod:`multi_cloud.core.errors`. The same code runs against Google Cloud with
``CLOUDAI_MODE=cloud``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client


@dataclass(frozen=True)
class Received:
    """One pulled message: acknowledge it with its ``ack_id`` or it comes back after the ack deadline."""

    ack_id: str
    message_id: str
    data: bytes
    attributes: dict[str, str] = field(default_factory=dict)
    ordering_key: str = ""


class PubSub:
    """Topics and subscriptions of one project (``settings.gcp.project``)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.project = self.settings.gcp.project

    @property
    def publisher(self) -> Any:
        """The official ``pubsub_v1.PublisherClient``."""
        return google_client("publisher", self.settings)

    @property
    def subscriber(self) -> Any:
        """The official ``pubsub_v1.SubscriberClient``."""
        return google_client("subscriber", self.settings)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic}"

    def subscription_path(self, subscription: str) -> str:
        return f"projects/{self.project}/subscriptions/{subscription}"

    def create_topic(self, topic: str) -> str:
        with google_errors("pubsub.create_topic"):
            return str(self.publisher.create_topic(name=self.topic_path(topic)).name)

    def delete_topic(self, topic: str) -> None:
        with google_errors("pubsub.delete_topic"):
            self.publisher.delete_topic(topic=self.topic_path(topic))

    def list_topics(self) -> list[str]:
        with google_errors("pubsub.list_topics"):
            return [t.name for t in self.publisher.list_topics(project=f"projects/{self.project}")]

    def create_subscription(
        self, subscription: str, topic: str, *, ack_deadline_seconds: int = 10, push_endpoint: str = ""
    ) -> str:
        """A pull subscription, or a push one POSTing to ``push_endpoint`` (loopback in local mode)."""
        request: dict[str, Any] = {
            "name": self.subscription_path(subscription),
            "topic": self.topic_path(topic),
            "ack_deadline_seconds": ack_deadline_seconds,
        }
        if push_endpoint:
            request["push_config"] = {"push_endpoint": push_endpoint}
        with google_errors("pubsub.create_subscription"):
            return str(self.subscriber.create_subscription(request=request).name)

    def delete_subscription(self, subscription: str) -> None:
        with google_errors("pubsub.delete_subscription"):
            self.subscriber.delete_subscription(subscription=self.subscription_path(subscription))

    def publish(self, topic: str, data: bytes, *, ordering_key: str = "", **attributes: str) -> str:
        """Publish one message; its message ID once the service stored it."""
        message: dict[str, Any] = {"data": data, "attributes": dict(attributes)}
        if ordering_key:
            message["ordering_key"] = ordering_key
        with google_errors("pubsub.publish"):
            response = self.publisher.api.publish(topic=self.topic_path(topic), messages=[message])
        return str(response.message_ids[0])

    def pull(self, subscription: str, max_messages: int = 10) -> list[Received]:
        """Up to ``max_messages`` messages, leased for the subscription's ack deadline."""
        with google_errors("pubsub.pull"):
            response = self.subscriber.pull(
                request={"subscription": self.subscription_path(subscription), "max_messages": max_messages}
            )
        return [
            Received(
                ack_id=r.ack_id,
                message_id=r.message.message_id,
                data=bytes(r.message.data),
                attributes=dict(r.message.attributes),
                ordering_key=r.message.ordering_key,
            )
            for r in response.received_messages
        ]

    def acknowledge(self, subscription: str, ack_ids: list[str]) -> None:
        with google_errors("pubsub.acknowledge"):
            self.subscriber.acknowledge(subscription=self.subscription_path(subscription), ack_ids=ack_ids)

    def extend(self, subscription: str, ack_ids: list[str], seconds: int) -> None:
        """Keep (or with 0 give back at once) leased messages: ``modifyAckDeadline``."""
        with google_errors("pubsub.modify_ack_deadline"):
            self.subscriber.modify_ack_deadline(
                subscription=self.subscription_path(subscription),
                ack_ids=ack_ids,
                ack_deadline_seconds=seconds,
            )
