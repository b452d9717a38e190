"""What of an EventBridge pattern an Event Grid subscription filter can carry exactly, as that filter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_ADVANCED_FILTERS = 25
_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_COMPARISONS = {
    ">": "NumberGreaterThan",
    ">=": "NumberGreaterThanOrEquals",
    "<": "NumberLessThan",
    "<=": "NumberLessThanOrEquals",
}


def event_grid_filter(pattern: Mapping[str, Any], rule_tag: str) -> dict[str, Any]:
    """The subscription filter for ``pattern``, data being the EventBridge envelope.

    ``detail-type`` strings become ``includedEventTypes``; ``source`` strings, and the ``detail`` fields
    (one level deep) tested by strings, numbers, one ``prefix``/``suffix`` or one numeric comparison, become
    advanced filters. Event Grid compares strings ignoring case and has no ``anything-but``, ``exists``,
    wildcards, nested objects or numeric ranges, so the last advanced filter is always ``subject``
    contains ``rule_tag``: the publisher matches the full pattern and tags the event's subject with the
    rules it matched (:class:`~azure_ai_services.serverless.portable_events.EventGridEvents`).
    """
    found: dict[str, Any] = {}
    types = pattern.get("detail-type")
    if isinstance(types, list) and _strings(types):
        found["includedEventTypes"] = list(types)
    advanced = []
    if _strings(pattern.get("source")):
        advanced.append({"operatorType": "StringIn", "key": "data.source", "values": list(pattern["source"])})
    detail = pattern.get("detail")
    if isinstance(detail, Mapping):
        for field, conditions in detail.items():
            translated = _condition(f"data.detail.{field}", conditions) if _KEY.match(field) else None
            if translated is not None:
                advanced.append(translated)
    advanced = advanced[: MAX_ADVANCED_FILTERS - 1]
    advanced.append({"operatorType": "StringContains", "key": "subject", "values": [rule_tag]})
    found["advancedFilters"] = advanced
    return found


def _condition(key: str, conditions: Any) -> dict[str, Any] | None:
    if not isinstance(conditions, list) or not conditions:
        return None
    if _strings(conditions):
        return {"operatorType": "StringIn", "key": key, "values": list(conditions)}
    if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in conditions):
        return {"operatorType": "NumberIn", "key": key, "values": list(conditions)}
    if len(conditions) != 1 or not isinstance(conditions[0], Mapping) or len(conditions[0]) != 1:
        return None
    ((operator, argument),) = conditions[0].items()
    if operator == "prefix" and isinstance(argument, str):
        return {"operatorType": "StringBeginsWith", "key": key, "values": [argument]}
    if operator == "suffix" and isinstance(argument, str):
        return {"operatorType": "StringEndsWith", "key": key, "values": [argument]}
    if (
        operator == "numeric"
        and isinstance(argument, list)
        and len(argument) == 2
        and argument[0] in _COMPARISONS
    ):
        return {"operatorType": _COMPARISONS[argument[0]], "key": key, "value": argument[1]}
    return None


def _strings(values: Any) -> bool:
    return isinstance(values, list) and bool(values) and all(isinstance(v, str) for v in values)
