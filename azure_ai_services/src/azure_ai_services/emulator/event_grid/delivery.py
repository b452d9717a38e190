"""Event delivery: webhooks (loopback only) and Azure Functions, with retries, records and dead-lettering.

As Event Grid: each matched event is delivered on its own (``maxEventsPerBatch`` 1) with the ``aeg-*``
headers; any 2xx is success; 400 and 413 are not retried; other failures are retried up to the
subscription's ``retryPolicy.maxDeliveryAttempts`` (default 30) within ``eventTimeToLiveInMinutes``, then
the event is dead-lettered to the ``deadLetterDestination`` container (Azurite) or dropped. Locally the
waits between attempts are short (0.2 s doubling up to 2 s) where Azure waits 10 s, 30 s, 1 min, 5 min...
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.onprem.event_delivery import RetryPolicy

from azure_ai_services.emulator.event_grid import filters, schemas
from azure_ai_services.emulator.event_grid.topics import EventSubscription, Topic

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.functions.service import AzureFunctions

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
NOT_RETRIED = frozenset({400, 413})
DEFAULT_MAX_ATTEMPTS = 30
DEFAULT_TTL_MINUTES = 1440
WEBHOOK_TIMEOUT_SECONDS = 30
LOCAL_BACKOFF = RetryPolicy(
    max_attempts=DEFAULT_MAX_ATTEMPTS, initial_backoff_seconds=0.2, multiplier=2.0, max_backoff_seconds=2.0
)
logger = logging.getLogger(__name__)


def check_destination(destination: Any) -> dict[str, Any]:
    """The subscription's destination, or 400 naming what is wrong with it."""
    if not isinstance(destination, dict):
        raise AzureError(400, "InvalidRequest", "The event subscription needs a 'destination'.")
    kind = destination.get("endpointType")
    properties = destination.get("properties") or {}
    if kind == "WebHook":
        url = str(properties.get("endpointUrl") or "")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
            raise AzureError(
                400,
                "InvalidRequest",
                f"The local Event Grid delivers only to loopback webhooks (http://127.0.0.1:PORT/...), not "
                f"{url!r}.",
            )
    elif kind == "AzureFunction":
        if "/providers/microsoft.web/sites/" not in str(properties.get("resourceId", "")).lower():
            raise AzureError(
                400,
                "InvalidRequest",
                "An AzureFunction destination needs properties.resourceId = the function's id "
                "(.../providers/Microsoft.Web/sites/{app}/functions/{function}).",
            )
    else:
        raise AzureError(
            501,
            "NotImplemented",
            f"the local Event Grid delivers to WebHook and AzureFunction destinations, not {kind!r} "
            "(Event Hubs, Service Bus, Storage Queue, Hybrid Connection are not emulated)",
        )
    return destination


class Dispatcher:
    """Delivers published events to their matching subscriptions on a small thread pool."""

    def __init__(self, functions: AzureFunctions | None) -> None:
        self.functions = functions
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="event-grid-delivery")

    def publish(self, topic: Topic, events: list[dict[str, Any]]) -> None:
        cloud = topic.input_schema == schemas.CLOUD_EVENT_SCHEMA
        topic.metrics["PublishSuccessCount"] += len(events)
        for event in events:
            matched = [
                s
                for s in list(topic.subscriptions.values())
                if filters.matches(s.properties.get("filter") or {}, event, cloud_event=cloud)
            ]
            topic.metrics["MatchedEventCount" if matched else "UnmatchedEventCount"] += 1
            for subscription in matched:
                self.pool.submit(self.deliver, topic, subscription, event)

    def deliver(self, topic: Topic, subscription: EventSubscription, event: dict[str, Any]) -> None:
        retry = subscription.properties.get("retryPolicy") or {}
        attempts = int(retry.get("maxDeliveryAttempts") or DEFAULT_MAX_ATTEMPTS)
        ttl = float(retry.get("eventTimeToLiveInMinutes") or DEFAULT_TTL_MINUTES) * 60
        started = time.monotonic()
        payload = self.shaped(topic, subscription, event)
        status, error = 0, ""
        for attempt in range(1, attempts + 1):
            try:
                status, error = self.send(topic, subscription, payload, attempt)
            except Exception as exc:  # noqa: BLE001 - a delivery failure is recorded, never raised
                status, error = 0, f"{type(exc).__name__}: {exc}"
            ok = 200 <= status < 300
            self.record(subscription, event, attempt, "Delivered" if ok else "Failed", status, error)
            if ok:
                topic.metrics["DeliverySuccessCount"] += 1
                return
            topic.metrics["DeliveryAttemptFailCount"] += 1
            if status in NOT_RETRIED or attempt == attempts or time.monotonic() - started > ttl:
                break
            time.sleep(LOCAL_BACKOFF.delay(attempt))
        self.dead_letter(topic, subscription, event, attempt, status, error)

    def shaped(self, topic: Topic, subscription: EventSubscription, event: dict[str, Any]) -> dict[str, Any]:
        delivery_schema = subscription.properties.get("eventDeliverySchema") or topic.input_schema
        if delivery_schema == schemas.CLOUD_EVENT_SCHEMA and topic.input_schema == schemas.EVENT_GRID_SCHEMA:
            return schemas.as_cloud_event(event)
        return event

    def send(
        self, topic: Topic, subscription: EventSubscription, event: dict[str, Any], attempt: int
    ) -> tuple[int, str]:
        destination = subscription.properties["destination"]
        if destination["endpointType"] == "AzureFunction":
            return self.send_to_function(destination["properties"]["resourceId"], event)
        import requests

        cloud = "specversion" in event
        headers = {
            "Content-Type": "application/cloudevents+json; charset=utf-8"
            if cloud
            else "application/json; charset=utf-8",
            "aeg-event-type": "Notification",
            "aeg-subscription-name": subscription.name.upper(),
            "aeg-delivery-count": str(attempt - 1),
            "aeg-data-version": str(event.get("dataVersion", "")),
            "aeg-metadata-version": "1",
        }
        body = json.dumps(event if cloud else [event])
        response = requests.post(
            destination["properties"]["endpointUrl"],
            data=body,
            headers=headers,
            timeout=WEBHOOK_TIMEOUT_SECONDS,
            verify=_ca_bundle(),
        )
        return response.status_code, "" if response.ok else response.text[:500]

    def send_to_function(self, resource_id: str, event: Mapping[str, Any]) -> tuple[int, str]:
        parts = resource_id.strip("/").split("/")
        if self.functions is None or len(parts) < 10:
            return 404, f"no function {resource_id}"
        app = self.functions.apps.by_name(parts[7])
        if app is None:
            return 404, f"the function app {parts[7]!r} does not exist"
        try:
            function = app.function(parts[9])
        except AzureError as exc:
            return 404, exc.message
        if "specversion" in event:  # a CloudEvent reaches an Event Grid trigger with its fields mapped
            event = {
                "id": event["id"],
                "data": event.get("data"),
                "topic": event.get("source", ""),
                "subject": event.get("subject", ""),
                "eventType": event["type"],
                "eventTime": event.get("time"),
                "dataVersion": "",
            }
        outcome = self.functions.invoke(
            app,
            function,
            "EventGrid trigger fired",
            {"trigger": {"event": event}},
            {"subject": str(event.get("subject", ""))},
        )
        return (200, "") if outcome.ok else (500, outcome.invocation.error)

    def record(
        self,
        subscription: EventSubscription,
        event: Mapping[str, Any],
        attempt: int,
        status: str,
        http_status: int,
        error: str,
    ) -> None:
        subscription.deliveries.append(
            {
                "eventId": event.get("id"),
                "attempt": attempt,
                "status": status,
                "httpStatus": http_status,
                "error": error,
                "time": schemas.now(),
            }
        )
        del subscription.deliveries[:-1000]

    def dead_letter(
        self,
        topic: Topic,
        subscription: EventSubscription,
        event: dict[str, Any],
        attempts: int,
        status: int,
        error: str,
    ) -> None:
        destination = subscription.properties.get("deadLetterDestination") or {}
        container = (destination.get("properties") or {}).get("blobContainerName")
        reason = "MaxDeliveryAttemptsExceeded" if status not in NOT_RETRIED else "NoRetriesForStatusCode"
        if destination.get("endpointType") != "StorageBlob" or not container:
            topic.metrics["DroppedEventCount"] += 1
            self.record(subscription, event, attempts, "Dropped", status, error)
            return
        record = {
            **event,
            "deadLetterReason": reason,
            "deliveryAttempts": attempts,
            "lastDeliveryOutcome": "Failed",
            "lastHttpStatusCode": status,
            "publishTime": event.get("eventTime") or event.get("time"),
            "lastDeliveryAttemptTime": schemas.now(),
        }
        now = datetime.now(timezone.utc)
        path = f"{topic.name.upper()}/{subscription.name.upper()}/{now:%Y/%m/%d/%H}/{uuid.uuid4()}.json"
        try:
            _write_dead_letter(str(container), path, json.dumps([record]).encode())
        except Exception:  # noqa: BLE001 - a dead-letter failure drops the event, as Azure does
            logger.exception("dead-lettering to %s failed", container)
            topic.metrics["DroppedEventCount"] += 1
            return
        topic.metrics["DeadLetteredCount"] += 1
        self.record(subscription, event, attempts, "DeadLettered", status, error)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _write_dead_letter(container: str, path: str, data: bytes) -> None:
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
    try:
        service.create_container(container)
    except ResourceExistsError:
        pass
    service.get_blob_client(container, path).upload_blob(data, overwrite=True)


def _ca_bundle() -> str | bool:
    return os.environ.get("REQUESTS_CA_BUNDLE") or True


def validation_handshake(
    subscription_name: str, topic: Topic, destination: dict[str, Any], delivery_schema: str
) -> None:
    """The webhook's proof that it wants events, as Event Grid asks for it when a subscription is created."""
    import requests

    url = destination["properties"]["endpointUrl"]
    try:
        if delivery_schema == schemas.CLOUD_EVENT_SCHEMA:
            response = requests.options(
                url,
                headers={"WebHook-Request-Origin": "eventgrid.azure.net"},
                timeout=WEBHOOK_TIMEOUT_SECONDS,
                verify=_ca_bundle(),
            )
            allowed = response.headers.get("WebHook-Allowed-Origin", "")
            if response.ok and allowed in ("*", "eventgrid.azure.net"):
                return
            problem = f"Http OPTIONS request failed with response code {response.status_code}"
        else:
            code = str(uuid.uuid4())
            event = {
                "id": str(uuid.uuid4()),
                "topic": topic.id,
                "subject": "",
                "eventTime": schemas.now(),
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "metadataVersion": "1",
                "dataVersion": "2",
                "data": {"validationCode": code, "validationUrl": ""},
            }
            response = requests.post(
                url,
                data=json.dumps([event]),
                timeout=WEBHOOK_TIMEOUT_SECONDS,
                headers={
                    "Content-Type": "application/json",
                    "aeg-event-type": "SubscriptionValidation",
                    "aeg-subscription-name": subscription_name.upper(),
                },
                verify=_ca_bundle(),
            )
            answered = response.json().get("validationResponse") if response.ok else None
            if answered == code:
                return
            problem = (
                f"Http POST request failed with response code {response.status_code}"
                if not response.ok
                else "the response did not echo data.validationCode as validationResponse"
            )
    except (requests.RequestException, ValueError, AttributeError) as exc:
        problem = f"Http request failed ({type(exc).__name__})"
    raise AzureError(
        400,
        "Url validation",
        f"Webhook validation handshake failed for {url}. {problem}. For troubleshooting, visit "
        "https://aka.ms/esvalidation.",
    )
