"""EventBridge-shaped event envelopes: what portable event targets receive, built and read the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from multi_cloud.core.types import Event


def eventbridge_envelope(event: Event, *, account: str, region: str) -> dict[str, Any]:
    """``event`` as EventBridge's JSON (version, id, detail-type, source, account, time, region, resources,
    detail); a naive ``time`` is taken as UTC, no time as now."""
    when = event.time or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return {
        "version": "0",
        "id": event.id,
        "detail-type": event.detail_type,
        "source": event.source,
        "account": account,
        "time": when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": json.loads(json.dumps(dict(event.detail))),
    }


def event_from_envelope(envelope: Mapping[str, Any]) -> Event:
    """The portable Event of an EventBridge envelope (id and time as the envelope carries them)."""
    when = envelope.get("time")
    return Event(
        source=str(envelope["source"]),
        detail_type=str(envelope["detail-type"]),
        detail=dict(envelope.get("detail") or {}),
        id=str(envelope.get("id", "")),
        time=datetime.fromisoformat(when.replace("Z", "+00:00")) if isinstance(when, str) else None,
    )
