"""Pub/Sub v1's REST methods as google-cloud-pubsub (``transport="rest"``) sends them, over the state.

Topics: ``PUT/GET/DELETE /v1/{name=projects/*/topics/*}``, ``GET /v1/{project}/topics``,
``POST {topic}:publish``, ``GET {topic}/subscriptions``. Subscriptions: ``PUT/GET/DELETE
/v1/{name=projects/*/subscriptions/*}``, ``GET /v1/{project}/subscriptions``, ``:pull``, ``:acknowledge``,
``:modifyAckDeadline``, ``:modifyPushConfig``.
A pull with nothing available waits up to :data:`PULL_WAIT_SECONDS` (at once with ``returnImmediately``).
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.pubsub.names import checked
from gcp_ai_services.emulator.pubsub.push import check_push_config
from gcp_ai_services.emulator.pubsub.state import DEFAULT_ACK_DEADLINE, PubSubState, check_ack_deadline
from gcp_ai_services.emulator.wire import content_bytes, invalid

PULL_WAIT_SECONDS = 1.0
MAX_PULL_MESSAGES = 1000
TOPIC = "/v1/{name=projects/*/topics/*}"
SUBSCRIPTION = "/v1/{name=projects/*/subscriptions/*}"


class PubSubAPI:
    def __init__(self, state: PubSubState) -> None:
        self.state = state

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("PUT", TOPIC, self.create_topic)
        routes.add("GET", TOPIC, lambda request, name: self.state.topic(checked(name, "topics")))
        routes.add("DELETE", "/v1/{topic=projects/*/topics/*}", self.delete_topic)
        routes.add("GET", "/v1/{project=projects/*}/topics", self.list_topics)
        routes.add("POST", "/v1/{topic=projects/*/topics/*}:publish", self.publish)
        routes.add("GET", "/v1/{topic=projects/*/topics/*}/subscriptions", self.topic_subscriptions)
        routes.add("PUT", SUBSCRIPTION, self.create_subscription)
        routes.add("GET", SUBSCRIPTION, lambda request, name: self.state.subscription(name).config)
        routes.add("DELETE", "/v1/{subscription=projects/*/subscriptions/*}", self.delete_subscription)
        routes.add("GET", "/v1/{project=projects/*}/subscriptions", self.list_subscriptions)
        routes.add("POST", "/v1/{subscription=projects/*/subscriptions/*}:pull", self.pull)
        routes.add("POST", "/v1/{subscription=projects/*/subscriptions/*}:acknowledge", self.acknowledge)
        routes.add("POST", "/v1/{subscription=projects/*/subscriptions/*}:modifyAckDeadline", self.modify)
        routes.add("POST", "/v1/{subscription=projects/*/subscriptions/*}:modifyPushConfig", self.push_config)
        return routes

    # ------------------------------------------------------------------ topics
    def create_topic(self, request: Any, name: str) -> dict[str, Any]:
        body = json_body(request)
        return self.state.create_topic({**body, "name": checked(name, "topics")})

    def delete_topic(self, request: Any, topic: str) -> dict[str, Any]:
        self.state.delete_topic(checked(topic, "topics"))
        return {}

    def list_topics(self, request: Any, project: str) -> dict[str, Any]:
        return _page({"topics": self.state.list_topics(project)})

    def topic_subscriptions(self, request: Any, topic: str) -> dict[str, Any]:
        self.state.topic(checked(topic, "topics"))
        found = self.state.list_subscriptions(topic.split("/topics/")[0] + "/subscriptions/", topic)
        return _page({"subscriptions": [s["name"] for s in found]})

    def publish(self, request: Any, topic: str) -> dict[str, Any]:
        body = json_body(request)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise invalid("The request contains no messages: give at least one message to publish.")
        stored = [_message(m, index) for index, m in enumerate(messages)]
        return {"messageIds": self.state.publish(checked(topic, "topics"), stored)}

    # ------------------------------------------------------------------ subscriptions
    def create_subscription(self, request: Any, name: str) -> dict[str, Any]:
        body = json_body(request)
        topic = body.get("topic")
        if not isinstance(topic, str) or not topic:
            raise invalid(
                "Invalid resource name given (name=). Refer to https://cloud.google.com/pubsub/docs/"
                "admin#resource_names for more information."
            )
        config = {**body, "name": checked(name, "subscriptions"), "topic": checked(topic, "topics")}
        config["ackDeadlineSeconds"] = check_ack_deadline(
            body.get("ackDeadlineSeconds") or DEFAULT_ACK_DEADLINE
        )
        config["pushConfig"] = check_push_config(body.get("pushConfig") or {})
        return self.state.create_subscription(config)

    def delete_subscription(self, request: Any, subscription: str) -> dict[str, Any]:
        self.state.delete_subscription(subscription)
        return {}

    def list_subscriptions(self, request: Any, project: str) -> dict[str, Any]:
        return _page({"subscriptions": self.state.list_subscriptions(project + "/subscriptions/")})

    def pull(self, request: Any, subscription: str) -> dict[str, Any]:
        body = json_body(request)
        wanted = body.get("maxMessages")
        if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted <= 0:
            raise invalid(f"Invalid max_messages: {wanted!r}; it must be a positive number.")
        self.state.subscription(subscription)
        received = self.state.lease(subscription, min(wanted, MAX_PULL_MESSAGES))
        if not received and not body.get("returnImmediately"):
            self.state.wait_for_messages(PULL_WAIT_SECONDS)
            received = self.state.lease(subscription, min(wanted, MAX_PULL_MESSAGES))
        return {"receivedMessages": received} if received else {}

    def acknowledge(self, request: Any, subscription: str) -> dict[str, Any]:
        self.state.acknowledge(subscription, _ack_ids(json_body(request)))
        return {}

    def modify(self, request: Any, subscription: str) -> dict[str, Any]:
        body = json_body(request)
        seconds = check_ack_deadline(body.get("ackDeadlineSeconds", 0), allow_zero=True)
        self.state.modify_ack_deadline(subscription, _ack_ids(body), seconds)
        return {}

    def push_config(self, request: Any, subscription: str) -> dict[str, Any]:
        body = json_body(request)
        self.state.set_push_config(subscription, check_push_config(body.get("pushConfig") or {}))
        return {}


def _message(message: Any, index: int) -> dict[str, Any]:
    """A PubsubMessage as stored: data (base64), attributes, ordering key; empty ones refused."""
    if not isinstance(message, dict):
        raise invalid(f"Invalid value at 'messages[{index}]': expected an object.")
    data = message.get("data", "")
    content_bytes(message, "data", f"messages[{index}].data")  # valid base64
    attributes = message.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise invalid(f"Invalid value at 'messages[{index}].attributes': expected a map of strings.")
    if not data and not attributes:
        raise invalid("Some messages are empty: a message needs data or at least one attribute.")
    stored: dict[str, Any] = {"data": data, "attributes": attributes}
    if message.get("orderingKey"):
        stored["orderingKey"] = str(message["orderingKey"])
    return stored


def _ack_ids(body: dict[str, Any]) -> list[str]:
    ack_ids = body.get("ackIds")
    if not isinstance(ack_ids, list) or not ack_ids or not all(isinstance(a, str) for a in ack_ids):
        raise GoogleError("INVALID_ARGUMENT", "No ack ids specified: give at least one ack_id.")
    return ack_ids


def _page(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value}
