"""The JSONPath subset SageMaker batch transform accepts in ``InputFilter`` / ``OutputFilter``.

Supported forms (the ones in SageMaker's documentation and examples): ``$`` (everything), ``$.key`` and
``$['key']`` (nested: ``$.a.b``), several keys ``$['id','SageMakerOutput']`` (an object with those
keys), indexes ``$[0]``, ``$[-1]``, slices ``$[1:]``, ``$[:3]``, ``$[1:3]`` and unions ``$[0,5:]`` or
``$[0,-1]`` (a list, in the order given). A CSV record is filtered as the JSON array of its fields.
Index errors say which index and how many fields there were, as SageMaker fails such jobs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: the API limit on both filters
MAX_FILTER_LENGTH = 63
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[([^\]]*)\]")


class FilterError(ValueError):
    """A filter that does not parse, or does not fit the record it is applied to."""


@dataclass(frozen=True)
class _Selector:
    keys: tuple[str, ...] = ()  # object keys; one key selects the value, several build an object
    items: tuple[int | slice, ...] = ()  # list indexes and slices


def parse_filter(expression: str) -> tuple[_Selector, ...]:
    """Parse ``expression`` once; raises :class:`FilterError` naming the problem."""
    text = (expression or "$").strip()
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"the filter {text!r} is longer than {MAX_FILTER_LENGTH} characters")
    if not text.startswith("$"):
        raise FilterError(f"the filter {text!r} must start with '$'")
    steps: list[_Selector] = []
    position = 1
    while position < len(text):
        match = _STEP.match(text, position)
        if not match:
            raise FilterError(f"cannot parse the filter {text!r} at {text[position:]!r}")
        steps.append(_selector(match.group(1), match.group(2), text))
        position = match.end()
    return tuple(steps)


def apply_filter(expression: str, value: Any) -> Any:
    """What ``expression`` selects from ``value`` (parsed JSON, or a CSV record as a list of fields)."""
    for step in parse_filter(expression):
        value = _apply(step, value, expression)
    return value


def _selector(key: str | None, bracket: str | None, text: str) -> _Selector:
    if key is not None:
        return _Selector(keys=(key,))
    parts = [part.strip() for part in (bracket or "").split(",")]
    if not parts or any(not part for part in parts):
        raise FilterError(f"empty selector in the filter {text!r}")
    if all(part[0] in "'\"" and part[-1] == part[0] and len(part) >= 2 for part in parts):
        return _Selector(keys=tuple(part[1:-1] for part in parts))
    items: list[int | slice] = []
    for part in parts:
        try:
            if ":" in part:
                start, _, stop = part.partition(":")
                items.append(slice(int(start) if start else None, int(stop) if stop else None))
            else:
                items.append(int(part))
        except ValueError as exc:
            raise FilterError(
                f"{part!r} in the filter {text!r} is neither an index, a slice nor a quoted key"
            ) from exc
    return _Selector(items=tuple(items))


def _apply(step: _Selector, value: Any, expression: str) -> Any:
    if step.keys:
        if not isinstance(value, dict):
            raise FilterError(f"the filter {expression!r} selects keys, but the record is not a JSON object")
        missing = [key for key in step.keys if key not in value]
        if missing:
            raise FilterError(f"the filter {expression!r} names {', '.join(missing)}, not in the record")
        return value[step.keys[0]] if len(step.keys) == 1 else {key: value[key] for key in step.keys}
    if not isinstance(value, list):
        raise FilterError(f"the filter {expression!r} indexes a list, but the record is not a list")
    if len(step.items) == 1 and isinstance(step.items[0], int):
        return _index(value, step.items[0], expression)
    selected: list[Any] = []
    for item in step.items:
        selected += value[item] if isinstance(item, slice) else [_index(value, item, expression)]
    return selected


def _index(values: list[Any], index: int, expression: str) -> Any:
    if not -len(values) <= index < len(values):
        raise FilterError(
            f"index {index} of the filter {expression!r} is outside the record (it has {len(values)} fields)"
        )
    return values[index]
