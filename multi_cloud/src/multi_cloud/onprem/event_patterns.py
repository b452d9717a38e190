"""EventBridge event-pattern validation and matching (the semantics of AWS's event-ruler).

A pattern has the event's nested shape; its leaves are arrays, and a leaf matches when **any** of its
conditions matches (fields are AND-ed, array items OR-ed). A condition is an exact JSON value (strings are
case-sensitive, numbers compare numerically, ``null`` matches only null, ``""`` only the empty string) or
one operator object: ``prefix``, ``suffix`` (each optionally ``{"equals-ignore-case": s}``),
``equals-ignore-case``, ``wildcard`` (``*`` = any run of characters, ``\\*`` a literal star),
``anything-but`` (a value, a list of values, or a prefix / suffix / equals-ignore-case / wildcard object),
``numeric`` (``[">", 0, "<=", 5]``, ``["=", 3]``; JSON numbers only), ``cidr`` (IPv4/IPv6) and
``exists`` (true/false). ``"$or": [pattern, pattern, ...]`` ORs sub-patterns at any level.

As in event-ruler: operators other than ``exists: false`` need the field to be present; ``exists`` only
sees leaves (a field holding an object counts as absent); when the event value is an array, the condition
matches if it matches any element (so ``anything-but`` matches an array holding any other value), and a
nested pattern over an array of objects matches if one element matches all of its fields.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from multi_cloud.core.errors import InvalidArgument

_ABSENT: Mapping[str, Any] = {}
_NUMERIC_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
OPERATORS = (
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "cidr",
    "exists",
)


# ----------------------------------------------------------------------------- validation
def validate_pattern(pattern: Any) -> None:
    """Raise InvalidArgument, naming the field and the fix, if ``pattern`` is not a valid event pattern."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise _invalid("", "the pattern must be a non-empty JSON object, e.g. {'source': ['my.app']}")
    _validate_object(pattern, "")


def _validate_object(pattern: Mapping[str, Any], path: str) -> None:
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if key == "$or":
            if (
                not isinstance(value, list)
                or len(value) < 2
                or not all(isinstance(v, Mapping) for v in value)
            ):
                raise _invalid(where, "'$or' takes a list of at least two pattern objects")
            for index, alternative in enumerate(value):
                if not alternative:
                    raise _invalid(f"{where}[{index}]", "an '$or' alternative must not be empty")
                _validate_object(alternative, f"{where}[{index}]")
        elif isinstance(value, Mapping):
            if not value:
                raise _invalid(where, "a nested pattern must not be empty")
            _validate_object(value, where)
        elif isinstance(value, list):
            if not value:
                raise _invalid(where, "a leaf must be a non-empty array of values or operators")
            for condition in value:
                _validate_condition(condition, where)
        else:
            raise _invalid(where, f"leaf values must be arrays; write [{value!r}] instead of {value!r}")


def _validate_condition(condition: Any, where: str) -> None:
    if condition is None or isinstance(condition, (str, int, float, bool)):
        return
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise _invalid(where, "each array item must be a JSON value or an object with one operator")
    ((operator, argument),) = condition.items()
    if operator not in OPERATORS:
        raise _invalid(where, f"unknown operator {operator!r}; known: {', '.join(OPERATORS)}")
    if operator in ("prefix", "suffix"):
        _string_or_ignore_case(argument, where, operator)
    elif operator == "equals-ignore-case":
        _require(isinstance(argument, str), where, "'equals-ignore-case' takes a string")
    elif operator == "wildcard":
        _require(isinstance(argument, str), where, "'wildcard' takes a string")
        wildcard_regex(argument, where)
    elif operator == "numeric":
        numeric_bounds(argument, where)
    elif operator == "cidr":
        try:
            ipaddress.ip_network(argument, strict=False)
        except (TypeError, ValueError):
            raise _invalid(where, f"'cidr' needs a network like '10.0.0.0/24', not {argument!r}") from None
    elif operator == "exists":
        _require(isinstance(argument, bool), where, "'exists' takes true or false")
    else:
        _validate_anything_but(argument, where)


def _validate_anything_but(argument: Any, where: str) -> None:
    if isinstance(argument, Mapping):
        _require(len(argument) == 1, where, "'anything-but' takes one operator object")
        ((operator, value),) = argument.items()
        _require(
            operator in ("prefix", "suffix", "equals-ignore-case", "wildcard"),
            where,
            "'anything-but' objects support prefix, suffix, equals-ignore-case or wildcard",
        )
        values = (
            value if isinstance(value, list) and operator in ("equals-ignore-case", "wildcard") else [value]
        )
        _require(
            all(isinstance(v, str) and v for v in values), where, f"anything-but {operator} takes strings"
        )
        if operator == "wildcard":
            for text in values:
                wildcard_regex(text, where)
        return
    values = argument if isinstance(argument, list) else [argument]
    _require(bool(values), where, "'anything-but' needs at least one value")
    kinds = {"string" if isinstance(v, str) else "number" for v in values}
    scalar = all(isinstance(v, str) or (_is_number(v)) for v in values)
    _require(scalar and len(kinds) == 1, where, "'anything-but' lists must hold only strings or only numbers")


def _string_or_ignore_case(argument: Any, where: str, operator: str) -> None:
    if isinstance(argument, Mapping):
        ok = list(argument) == ["equals-ignore-case"] and isinstance(argument["equals-ignore-case"], str)
        _require(ok, where, f"'{operator}' takes a string or {{'equals-ignore-case': string}}")
    else:
        _require(isinstance(argument, str), where, f"'{operator}' takes a string")


def numeric_bounds(argument: Any, where: str = "") -> list[tuple[str, float]]:
    """``[">", 0, "<=", 5]`` -> ``[(">", 0.0), ("<=", 5.0)]``, checked to be a sensible range."""
    ok = isinstance(argument, list) and len(argument) in (2, 4)
    pairs = list(zip(argument[::2], argument[1::2], strict=True)) if ok else []
    ok = ok and all(op in _NUMERIC_OPS and _is_number(value) for op, value in pairs)
    if ok and len(pairs) == 2:
        (low_op, _), (high_op, _) = pairs
        ok = low_op in (">", ">=") and high_op in ("<", "<=") and pairs[0][1] < pairs[1][1]
    if not ok:
        raise _invalid(
            where, "'numeric' takes [op, number] or ['>'|'>=', low, '<'|'<=', high] with low < high"
        )
    return [(op, float(value)) for op, value in pairs]


@lru_cache(maxsize=512)
def wildcard_regex(text: str, where: str = "") -> re.Pattern[str]:
    """``*`` is any run of characters; ``\\*`` and ``\\\\`` are a literal star and backslash."""
    parts: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            _require(following in ("*", "\\"), where, "in 'wildcard' a backslash may only escape '*' or '\\'")
            parts.append(re.escape(following))
            index += 2
            continue
        if char == "*":
            _require(text[index + 1 : index + 2] != "*", where, "'wildcard' must not contain consecutive '*'")
            parts.append(".*")
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


# ----------------------------------------------------------------------------- matching
def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether ``event`` (an EventBridge envelope, or any JSON object) matches ``pattern``."""
    return _match_object(pattern, event)


def _match_object(pattern: Mapping[str, Any], event: Any) -> bool:
    fields = event if isinstance(event, Mapping) else _ABSENT
    for key, sub in pattern.items():
        if key == "$or" and isinstance(sub, list):
            if not any(_match_object(alternative, fields) for alternative in sub):
                return False
        elif isinstance(sub, Mapping):
            if not _match_nested(sub, fields.get(key, _ABSENT)):
                return False
        elif not _match_leaf(sub, fields.get(key), key in fields):
            return False
    return True


def _match_nested(pattern: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, list):
        objects = [item for item in _flatten(value) if isinstance(item, Mapping)]
        if objects:
            return any(_match_object(pattern, item) for item in objects)
        return _match_object(pattern, _ABSENT)
    return _match_object(pattern, value)


def _match_leaf(conditions: Sequence[Any], value: Any, present: bool) -> bool:
    leaves = [v for v in _flatten(value) if not isinstance(v, Mapping)] if present else []
    return any(_match_condition(condition, leaves) for condition in conditions)


def _match_condition(condition: Any, leaves: list[Any]) -> bool:
    if not isinstance(condition, Mapping):
        return any(_equal(condition, leaf) for leaf in leaves)
    ((operator, argument),) = condition.items()
    if operator == "exists":
        return bool(leaves) is bool(argument)
    return any(_OPERATOR_TESTS[operator](argument, leaf) for leaf in leaves)


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(expected: Any, actual: Any) -> bool:
    if _is_number(expected) and _is_number(actual):
        return float(expected) == float(actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected is actual
    if expected is None or actual is None:
        return expected is None and actual is None
    return isinstance(expected, str) and isinstance(actual, str) and expected == actual


def _affix(argument: Any, leaf: Any, test: str) -> bool:
    if not isinstance(leaf, str):
        return False
    value: str = leaf
    if isinstance(argument, Mapping):
        text, value = str(argument["equals-ignore-case"]).casefold(), value.casefold()
    else:
        text = str(argument)
    return value.startswith(text) if test == "prefix" else value.endswith(text)


def _ignore_case(argument: str, leaf: Any) -> bool:
    return isinstance(leaf, str) and leaf.casefold() == argument.casefold()


def _wildcard(argument: str, leaf: Any) -> bool:
    return isinstance(leaf, str) and wildcard_regex(argument).fullmatch(leaf) is not None


def _numeric(argument: list[Any], leaf: Any) -> bool:
    return _is_number(leaf) and all(
        _NUMERIC_OPS[op](float(leaf), bound) for op, bound in numeric_bounds(argument)
    )


def _cidr(argument: str, leaf: Any) -> bool:
    if not isinstance(leaf, str):
        return False
    try:
        return ipaddress.ip_address(leaf) in ipaddress.ip_network(argument, strict=False)
    except ValueError:
        return False


def _anything_but(argument: Any, leaf: Any) -> bool:
    if isinstance(argument, Mapping):
        ((operator, value),) = argument.items()
        values = value if isinstance(value, list) else [value]
        if operator in ("prefix", "suffix"):
            return isinstance(leaf, str) and not _affix(value, leaf, operator)
        if operator == "equals-ignore-case":
            return isinstance(leaf, str) and not any(_ignore_case(v, leaf) for v in values)
        return isinstance(leaf, str) and not any(_wildcard(v, leaf) for v in values)
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_equal(value, leaf) for value in excluded)


_OPERATOR_TESTS = {
    "prefix": lambda argument, leaf: _affix(argument, leaf, "prefix"),
    "suffix": lambda argument, leaf: _affix(argument, leaf, "suffix"),
    "equals-ignore-case": _ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "cidr": _cidr,
    "anything-but": _anything_but,
}


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise _invalid(where, message)


def _invalid(where: str, message: str) -> InvalidArgument:
    location = f" at {where!r}" if where else ""
    return InvalidArgument(f"invalid event pattern{location}: {message}")
