"""ARM template functions: the documented subset evaluated here (anything else is ``InvalidTemplate``)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from azure_ai_services.emulator.arm.expressions import Functions, TemplateError
from azure_ai_services.emulator.arm.unique_string import unique_string

_FORMAT_ITEM = re.compile(r"\{(\d+)(?::[^}]*)?\}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def _concat(*values: Any) -> Any:
    if values and all(isinstance(v, list) for v in values):
        return [item for v in values for item in v]
    return "".join(_text(v) for v in values)


def _format(template: str, *values: Any) -> str:
    def item(found: re.Match[str]) -> str:
        index = int(found.group(1))
        if index >= len(values):
            raise TemplateError(f"The template function 'format' has no argument {index} for '{template}'.")
        return _text(values[index])

    return _FORMAT_ITEM.sub(item, template)


def _equals(a: Any, b: Any) -> bool:
    return bool(a.lower() == b.lower()) if isinstance(a, str) and isinstance(b, str) else bool(a == b)


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return str(item).lower() in container.lower()
    if isinstance(container, dict):
        return str(item).lower() in (str(k).lower() for k in container)
    return item in container


def _union(*values: Any) -> Any:
    if all(isinstance(v, dict) for v in values):
        merged: dict[str, Any] = {}
        for v in values:
            merged.update(v)
        return merged
    seen: list[Any] = []
    for v in values:
        seen.extend(item for item in v if item not in seen)
    return seen


def _guid(*values: str) -> str:
    """Deterministic, like ARM's (a name-based UUID of the inputs; ARM's own bytes are not documented)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "-".join(values)))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise TemplateError(f"The template function 'int' cannot convert '{value}' to an integer.") from None


def _length(value: Any) -> int:
    if not isinstance(value, (str, list, dict)):
        raise TemplateError("The template function 'length' expects a string, an array or an object.")
    return len(value)


def _arity(name: str, function: Callable[..., Any], low: int, high: int | None) -> Callable[..., Any]:
    def checked(*args: Any) -> Any:
        if len(args) < low or (high is not None and len(args) > high):
            wanted = f"{low}" if high == low else f"{low} to {high if high is not None else 'any'}"
            raise TemplateError(
                f"Unable to evaluate template language function '{name}': function requires {wanted} "
                f"argument(s) while {len(args)} were provided."
            )
        return function(*args)

    return checked


PURE: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "concat": (_concat, 1, None),
    "format": (_format, 1, None),
    "tolower": (lambda s: _text(s).lower(), 1, 1),
    "toupper": (lambda s: _text(s).upper(), 1, 1),
    "trim": (lambda s: _text(s).strip(), 1, 1),
    "string": (_text, 1, 1),
    "int": (_int, 1, 1),
    "bool": (lambda v: v if isinstance(v, bool) else str(v).lower() == "true", 1, 1),
    "json": (json.loads, 1, 1),
    "length": (_length, 1, 1),
    "empty": (lambda v: v is None or len(v) == 0, 1, 1),
    "equals": (_equals, 2, 2),
    "not": (lambda v: not v, 1, 1),
    "and": (lambda *v: all(v), 2, None),
    "or": (lambda *v: any(v), 2, None),
    "true": (lambda: True, 0, 0),
    "false": (lambda: False, 0, 0),
    "null": (lambda: None, 0, 0),
    "if": (lambda c, a, b: a if c else b, 3, 3),  # evaluated lazily by expressions.evaluate
    "greater": (lambda a, b: a > b, 2, 2),
    "greaterorequals": (lambda a, b: a >= b, 2, 2),
    "less": (lambda a, b: a < b, 2, 2),
    "lessorequals": (lambda a, b: a <= b, 2, 2),
    "add": (lambda a, b: a + b, 2, 2),
    "sub": (lambda a, b: a - b, 2, 2),
    "mul": (lambda a, b: a * b, 2, 2),
    "div": (lambda a, b: int(a / b), 2, 2),
    "mod": (lambda a, b: a % b, 2, 2),
    "min": (lambda *v: min(v[0] if len(v) == 1 else v), 1, None),
    "max": (lambda *v: max(v[0] if len(v) == 1 else v), 1, None),
    "contains": (_contains, 2, 2),
    "startswith": (lambda s, p: _text(s).lower().startswith(_text(p).lower()), 2, 2),
    "endswith": (lambda s, p: _text(s).lower().endswith(_text(p).lower()), 2, 2),
    "replace": (lambda s, old, new: _text(s).replace(old, new), 3, 3),
    "substring": (lambda s, start, n=None: _text(s)[start : None if n is None else start + n], 2, 3),
    "split": (lambda s, sep: _text(s).split(sep), 2, 2),
    "join": (lambda items, sep: sep.join(_text(i) for i in items), 2, 2),
    "first": (lambda v: v[0] if len(v) else None, 1, 1),
    "last": (lambda v: v[-1] if len(v) else None, 1, 1),
    "take": (lambda v, n: v[:n], 2, 2),
    "skip": (lambda v, n: v[n:], 2, 2),
    "createarray": (lambda *v: list(v), 0, None),
    "array": (lambda v: v if isinstance(v, list) else [v], 1, 1),
    "createobject": (lambda *v: {v[i]: v[i + 1] for i in range(0, len(v) - 1, 2)}, 0, None),
    "union": (_union, 1, None),
    "coalesce": (lambda *v: next((i for i in v if i is not None), None), 1, None),
    "range": (lambda start, count: list(range(start, start + count)), 2, 2),
    "base64": (lambda s: base64.b64encode(_text(s).encode()).decode(), 1, 1),
    "base64tostring": (lambda s: base64.b64decode(s).decode(), 1, 1),
    "uniquestring": (unique_string, 1, None),
    "guid": (_guid, 1, None),
}


def pure_functions() -> Functions:
    return {name: _arity(name, function, low, high) for name, (function, low, high) in PURE.items()}


def checked(name: str, function: Callable[..., Any], low: int, high: int | None) -> Callable[..., Any]:
    return _arity(name, function, low, high)
