"""Event subscription filters as Event Grid applies them: subject prefix/suffix, types, advanced filters.

Subject and event-type comparisons ignore case unless ``isSubjectCaseSensitive``; advanced filters
(at most 25, string values compared case-insensitively) read ``data.a.b`` or a top-level field by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

MAX_ADVANCED_FILTERS = 25
_NUMBER = {
    "NumberIn",
    "NumberNotIn",
    "NumberLessThan",
    "NumberGreaterThan",
    "NumberLessThanOrEquals",
    "NumberGreaterThanOrEquals",
    "NumberInRange",
    "NumberNotInRange",
}
_STRING = {
    "StringIn",
    "StringNotIn",
    "StringContains",
    "StringNotContains",
    "StringBeginsWith",
    "StringNotBeginsWith",
    "StringEndsWith",
    "StringNotEndsWith",
}
OPERATORS = _NUMBER | _STRING | {"BoolEquals", "IsNullOrUndefined", "IsNotNull"}
_MISSING = object()


def validate(filter_: Mapping[str, Any]) -> None:
    """400 ``InvalidRequest`` naming the problem, as ARM answers an event subscription's bad filter."""
    advanced = filter_.get("advancedFilters") or []
    if not isinstance(advanced, list) or len(advanced) > MAX_ADVANCED_FILTERS:
        raise _invalid(f"advancedFilters must be a list of at most {MAX_ADVANCED_FILTERS} filters.")
    for item in advanced:
        operator = item.get("operatorType") if isinstance(item, dict) else None
        if operator not in OPERATORS:
            choices = ", ".join(sorted(OPERATORS))
            raise _invalid(f"Advanced filter operator type '{operator}' is not valid; use one of {choices}.")
        if not item.get("key"):
            raise _invalid(f"Advanced filter '{operator}' needs a 'key' (e.g. 'data.color' or 'subject').")
        single = operator in _NUMBER and not operator.endswith(("In", "Range"))
        if single and (
            isinstance(item.get("value"), bool) or not isinstance(item.get("value"), (int, float))
        ):
            raise _invalid(f"Advanced filter '{operator}' on '{item['key']}' needs a numeric 'value'.")
    types = filter_.get("includedEventTypes")
    if types is not None and not (isinstance(types, list) and all(isinstance(t, str) for t in types)):
        raise _invalid("includedEventTypes must be a list of event type names.")


def matches(filter_: Mapping[str, Any], event: Mapping[str, Any], *, cloud_event: bool) -> bool:
    subject = str(event.get("subject") or "")
    event_type = str(event.get("type") if cloud_event else event.get("eventType") or "")
    case = bool(filter_.get("isSubjectCaseSensitive"))
    if not case:
        subject = subject.lower()
    begins = str(filter_.get("subjectBeginsWith") or "")
    ends = str(filter_.get("subjectEndsWith") or "")
    if begins and not subject.startswith(begins if case else begins.lower()):
        return False
    if ends and not subject.endswith(ends if case else ends.lower()):
        return False
    types = filter_.get("includedEventTypes")
    if types and event_type.lower() not in {t.lower() for t in types}:
        return False
    return all(_advanced(item, event) for item in filter_.get("advancedFilters") or [])


def _advanced(item: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    operator = str(item["operatorType"])
    value = _lookup(event, str(item["key"]))
    if operator == "IsNullOrUndefined":
        return value is _MISSING or value is None
    if operator == "IsNotNull":
        return value is not _MISSING and value is not None
    if value is _MISSING:
        return operator.startswith(("StringNot", "NumberNot"))
    values = item.get("values") if "values" in item else [item.get("value")]
    if operator == "BoolEquals":
        return isinstance(value, bool) and value == bool(item.get("value"))
    if operator in _NUMBER:
        return _number(operator, value, item, values or [])
    text = str(value).lower()
    wanted = [str(v).lower() for v in values or []]
    results = {
        "StringIn": text in wanted,
        "StringContains": any(w in text for w in wanted),
        "StringBeginsWith": any(text.startswith(w) for w in wanted),
        "StringEndsWith": any(text.endswith(w) for w in wanted),
    }
    positive = operator.replace("Not", "")
    return results[positive] if "Not" not in operator else not results[positive]


def _number(operator: str, value: Any, item: Mapping[str, Any], values: list[Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return operator.startswith("NumberNot")
    bound = float(item.get("value") or 0)
    if operator == "NumberIn":
        return value in values
    if operator == "NumberNotIn":
        return value not in values
    if operator in ("NumberInRange", "NumberNotInRange"):
        inside = any(low <= value <= high for low, high in values)
        return inside if operator == "NumberInRange" else not inside
    compare = {
        "NumberLessThan": value < bound,
        "NumberGreaterThan": value > bound,
        "NumberLessThanOrEquals": value <= bound,
        "NumberGreaterThanOrEquals": value >= bound,
    }
    return compare[operator]


def _lookup(event: Mapping[str, Any], key: str) -> Any:
    current: Any = event
    for part in key.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _invalid(message: str) -> AzureError:
    return AzureError(400, "InvalidRequest", message)
