"""Published events checked as Event Grid checks them (Event Grid schema, CloudEvents 1.0), and converted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

EVENT_GRID_SCHEMA = "EventGridSchema"
CLOUD_EVENT_SCHEMA = "CloudEventSchemaV1_0"
SCHEMAS = (EVENT_GRID_SCHEMA, CLOUD_EVENT_SCHEMA)
MAX_EVENT_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 1024 * 1024
_EVENT_GRID_REQUIRED = ("id", "subject", "eventType", "eventTime", "dataVersion")
_CLOUD_EVENT_REQUIRED = ("id", "source", "type", "specversion")


def parse_batch(body: Any, input_schema: str, topic_id: str) -> list[dict[str, Any]]:
    """The events of one publish request, with ``topic`` set (Event Grid schema), or 400 ``BadRequest``."""
    events = body if isinstance(body, list) else [body] if isinstance(body, dict) else None
    if events is None or not events:
        raise _bad("The request body must be a JSON array of events (or one event object).")
    checked = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise _bad(f"Event at index {index} is not a JSON object.")
        if input_schema == CLOUD_EVENT_SCHEMA:
            checked.append(_cloud_event(event, index))
        else:
            checked.append(_event_grid_event(event, index, topic_id))
    return checked


def _event_grid_event(event: dict[str, Any], index: int, topic_id: str) -> dict[str, Any]:
    if "specversion" in event:
        raise _bad(
            "This resource is configured to receive events in the EventGridEvent schema. The JSON received "
            "does not conform to the expected schema (it looks like a CloudEvent): publish EventGridEvent "
            "objects, or create the topic with inputSchema CloudEventSchemaV1_0."
        )
    for name in _EVENT_GRID_REQUIRED:
        if not isinstance(event.get(name), str) or not event[name]:
            raise _bad(f"Required property '{name}' was not set (event at index {index}).")
    if "data" not in event:
        raise _bad(f"Required property 'data' was not set (event at index {index}).")
    _parse_time(event["eventTime"], index)
    given = event.get("topic")
    if given and str(given).lower() != topic_id.lower():
        raise _bad(
            f"Property 'topic' was found to be set to '{given}', but was expected to be '{topic_id}' "
            "or left unset."
        )
    return {**event, "topic": topic_id, "metadataVersion": "1"}


def _cloud_event(event: dict[str, Any], index: int) -> dict[str, Any]:
    if "eventType" in event and "type" not in event:
        raise _bad(
            "This resource is configured to receive events in the CloudEvents 1.0 schema. The JSON received "
            "does not conform to the expected schema: publish CloudEvent objects."
        )
    for name in _CLOUD_EVENT_REQUIRED:
        if not isinstance(event.get(name), str) or not event[name]:
            raise _bad(f"Required property '{name}' was not set (CloudEvent at index {index}).")
    if event["specversion"] != "1.0":
        raise _bad(
            f"Unsupported specversion '{event['specversion']}' (CloudEvent at index {index}); use 1.0."
        )
    if "time" in event:
        _parse_time(event["time"], index)
    return dict(event)


def as_cloud_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """An Event Grid schema event delivered to a CloudEvents subscription (as Event Grid maps it)."""
    return {
        "id": event["id"],
        "source": event["topic"],
        "subject": event["subject"],
        "type": event["eventType"],
        "time": event["eventTime"],
        "specversion": "1.0",
        "data": event.get("data"),
        "dataschema": event.get("dataVersion") or None,
    }


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse_time(text: Any, index: int) -> None:
    try:
        datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            f"Property 'eventTime' of the event at index {index} is not an ISO 8601 time: {text!r}."
        ) from None


def _bad(message: str) -> AzureError:
    return AzureError(400, "BadRequest", message)
