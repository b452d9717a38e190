"""``Microsoft.EventGrid`` in ARM: topics (create, get, list, delete, keys), event subscriptions, metrics."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.event_grid import delivery, filters, schemas
from azure_ai_services.emulator.event_grid.service import EventGrid
from azure_ai_services.emulator.event_grid.topics import PROVIDER, EventSubscription, Topic

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

GROUP = "/subscriptions/{sub}/resourceGroups/{rg}"
TOPIC = GROUP + f"/providers/{PROVIDER}/topics/{{topic}}"
EVENT_SUBSCRIPTION = TOPIC + f"/providers/{PROVIDER}/eventSubscriptions/{{name}}"
METRICS = (
    "PublishSuccessCount",
    "PublishFailCount",
    "MatchedEventCount",
    "UnmatchedEventCount",
    "DeliverySuccessCount",
    "DeliveryAttemptFailCount",
    "DroppedEventCount",
    "DeadLetteredCount",
)


def routes(grid: EventGrid) -> AzureRoutes:
    table = AzureRoutes()
    handlers = Handlers(grid)
    table.add("PUT", TOPIC, handlers.put_topic)
    table.add("GET", TOPIC, handlers.get_topic)
    table.add("DELETE", TOPIC, handlers.delete_topic)
    table.add("GET", GROUP + f"/providers/{PROVIDER}/topics", handlers.list_topics)
    table.add("POST", TOPIC + "/listKeys", handlers.list_keys)
    table.add("POST", TOPIC + "/regenerateKey", handlers.regenerate_key)
    table.add("PUT", EVENT_SUBSCRIPTION, handlers.put_subscription)
    table.add("GET", EVENT_SUBSCRIPTION, handlers.get_subscription)
    table.add("DELETE", EVENT_SUBSCRIPTION, handlers.delete_subscription)
    table.add("GET", TOPIC + f"/providers/{PROVIDER}/eventSubscriptions", handlers.list_subscriptions)
    table.add("GET", TOPIC + "/providers/Microsoft.Insights/metrics", handlers.metrics)
    return table


class Handlers:
    def __init__(self, grid: EventGrid) -> None:
        self.grid = grid

    def _topic(self, bound: dict[str, str]) -> Topic:
        return self.grid.topics.get(bound["sub"], bound["rg"], bound["topic"])

    def put_topic(self, request: Request, **bound: str) -> Response:
        topic, created = self.grid.topics.put(bound["sub"], bound["rg"], bound["topic"], json_body(request))
        return json_response(topic.arm(request.host_url), 201 if created else 200)

    def get_topic(self, request: Request, **bound: str) -> dict[str, Any]:
        return self._topic(bound).arm(request.host_url)

    def delete_topic(self, request: Request, **bound: str) -> Response:
        try:
            topic = self._topic(bound)
        except AzureError:
            return json_response(None, 204)
        self.grid.topics.remove(topic)
        return json_response(None, 200)

    def list_topics(self, request: Request, **bound: str) -> dict[str, Any]:
        found = [
            t
            for t in self.grid.topics.all()
            if t.subscription.lower() == bound["sub"].lower() and t.group.lower() == bound["rg"].lower()
        ]
        return {"value": [t.arm(request.host_url) for t in found]}

    def list_keys(self, request: Request, **bound: str) -> dict[str, Any]:
        topic = self._topic(bound)
        return {"key1": topic.key1, "key2": topic.key2}

    def regenerate_key(self, request: Request, **bound: str) -> dict[str, Any]:
        topic = self._topic(bound)
        name = json_body(request).get("keyName")
        if name not in ("key1", "key2"):
            raise AzureError(400, "InvalidRequest", "keyName must be 'key1' or 'key2'.")
        setattr(topic, str(name), secrets.token_urlsafe(33))
        return self.list_keys(request, **bound)

    def put_subscription(self, request: Request, **bound: str) -> Response:
        topic = self._topic(bound)
        properties = dict(json_body(request).get("properties") or {})
        destination = delivery.check_destination(properties.get("destination"))
        properties["filter"] = dict(properties.get("filter") or {})
        filters.validate(properties["filter"])
        schema = str(properties.get("eventDeliverySchema") or topic.input_schema)
        if schema not in schemas.SCHEMAS:
            raise AzureError(400, "InvalidRequest", f"eventDeliverySchema '{schema}' is not supported.")
        if topic.input_schema == schemas.CLOUD_EVENT_SCHEMA and schema != schemas.CLOUD_EVENT_SCHEMA:
            raise AzureError(
                400,
                "InvalidRequest",
                "A topic with input schema CloudEventSchemaV1_0 delivers only CloudEventSchemaV1_0.",
            )
        properties["eventDeliverySchema"] = schema
        retry = properties.setdefault("retryPolicy", {})
        retry.setdefault("maxDeliveryAttempts", delivery.DEFAULT_MAX_ATTEMPTS)
        retry.setdefault("eventTimeToLiveInMinutes", delivery.DEFAULT_TTL_MINUTES)
        if not 1 <= int(retry["maxDeliveryAttempts"]) <= 30:
            raise AzureError(
                400, "InvalidRequest", "retryPolicy.maxDeliveryAttempts must be between 1 and 30."
            )
        name = bound["name"]
        created = name.lower() not in {n.lower() for n in topic.subscriptions}
        if destination["endpointType"] == "WebHook" and created:
            delivery.validation_handshake(name, topic, destination, schema)
        subscription = EventSubscription(name, topic.id, properties)
        topic.subscriptions[name.lower()] = subscription
        return json_response(subscription.arm(), 201 if created else 200)

    def _subscription(self, bound: dict[str, str]) -> EventSubscription:
        topic = self._topic(bound)
        found = topic.subscriptions.get(bound["name"].lower())
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"The Resource '{PROVIDER}/eventSubscriptions/{bound['name']}' was not found.",
            )
        return found

    def get_subscription(self, request: Request, **bound: str) -> dict[str, Any]:
        return self._subscription(bound).arm()

    def delete_subscription(self, request: Request, **bound: str) -> Response:
        topic = self._topic(bound)
        topic.subscriptions.pop(bound["name"].lower(), None)
        return json_response(None, 200)

    def list_subscriptions(self, request: Request, **bound: str) -> dict[str, Any]:
        return {"value": [s.arm() for s in self._topic(bound).subscriptions.values()]}

    def metrics(self, request: Request, **bound: str) -> dict[str, Any]:
        """Azure Monitor's metrics answer, one total per metric since the topic was created."""
        topic = self._topic(bound)
        names = [n for n in (request.args.get("metricnames") or ",".join(METRICS)).split(",") if n]
        unknown = [n for n in names if n not in METRICS]
        if unknown:
            raise AzureError(
                400,
                "BadRequest",
                f"Failed to find metric configuration for {', '.join(unknown)}. Valid metrics: "
                f"{', '.join(METRICS)}",
            )
        now = schemas.now()
        return {
            "cost": 0,
            "timespan": request.args.get("timespan", ""),
            "interval": "PT1M",
            "namespace": f"{PROVIDER}/topics",
            "resourceregion": topic.location,
            "value": [
                {
                    "id": f"{topic.id}/providers/Microsoft.Insights/metrics/{name}",
                    "type": "Microsoft.Insights/metrics",
                    "name": {"value": name, "localizedValue": name},
                    "unit": "Count",
                    "timeseries": [
                        {"metadatavalues": [], "data": [{"timeStamp": now, "total": topic.metrics[name]}]}
                    ],
                }
                for name in names
            ],
        }
