"""Server-side input validation against botocore's service model, worded as AWS words it.

AWS checks every request against the service's model before the service runs: a member of the wrong JSON
type is a ``SerializationException``; broken constraints (required members, enum values, numeric ranges,
lengths, patterns) are one ``ValidationException`` listing them all::

    2 validation errors detected: Value 'Bogus' at 'transformInput.splitType' failed to satisfy constraint:
    Member must satisfy enum value set: [None, Line, RecordIO, TFRecord]; Value '101' at 'maxPayloadInMB'
    failed to satisfy constraint: Member must have value less than or equal to 100

Paths are the members' names with a lower-case first letter; list items are ``name.<1-based index>.member``.
``params`` is what a boto3 caller passes (use :func:`..codec.from_wire` on a JSON body first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError

VALIDATION = "ValidationException"
SERIALIZATION = "SerializationException"
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_NUMBERS = ("integer", "long", "float", "double")
#: longest value echoed in a message (a fuzzer's megabyte string is not sent back whole)
MAX_SHOWN = 256


def validate_input(operation: Any, params: Mapping[str, Any]) -> None:
    """Raise AWS's error for ``params`` of botocore ``operation`` (an ``OperationModel``), if any."""
    shape = operation.input_shape
    if shape is None:
        return
    problems = validation_errors(shape, params)
    if problems:
        raise AwsError(validation_code(operation.service_model), validation_message(problems), status=400)


def validation_code(service_model: Any) -> str:
    """``ValidationError`` where the service's model names it so (SageMaker Runtime), else the usual code."""
    declared = set(getattr(service_model, "shape_names", ()))
    return "ValidationError" if "ValidationError" in declared and VALIDATION not in declared else VALIDATION


def validation_message(problems: list[str]) -> str:
    """``N validation error(s) detected: ...; ...`` for the constraint clauses ``problems``."""
    noun = "error" if len(problems) == 1 else "errors"
    return f"{len(problems)} validation {noun} detected: " + "; ".join(problems)


def validation_errors(shape: Any, value: Any, path: str = "") -> list[str]:
    """Every constraint ``value`` breaks against ``shape``; a type mismatch raises SerializationException."""
    _check_type(shape, value, path)
    kind = shape.type_name
    problems = _constraints(shape, value, path)
    if kind == "structure" and not getattr(shape, "is_document_type", False):
        for name, member in shape.members.items():
            where = f"{path}.{_camel(name)}" if path else _camel(name)
            if value.get(name) is None:
                if name in shape.required_members:
                    problems.append(
                        f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
                    )
                continue
            problems += validation_errors(member, value[name], where)
    elif kind == "list":
        for index, item in enumerate(value, start=1):
            if item is not None:
                problems += validation_errors(shape.member, item, f"{path}.{index}.member")
    elif kind == "map":
        problems += _map_errors(shape, value, path)
    return problems


def _map_errors(shape: Any, value: Mapping[str, Any], path: str) -> list[str]:
    problems: list[str] = []
    for key, item in value.items():
        key_problems = [_rule(p) for p in _constraints(shape.key, key, path)]
        if key_problems:
            problems.append(
                _clause(key, path, f"Map keys must satisfy constraint: [{', '.join(key_problems)}]")
            )
        if item is None:
            continue
        if shape.value.type_name in ("structure", "list", "map"):
            problems += validation_errors(shape.value, item, f"{path}.{key}")
            continue
        _check_type(shape.value, item, f"{path}.{key}")
        value_problems = [_rule(p) for p in _constraints(shape.value, item, path)]
        if value_problems:
            problems.append(
                _clause(item, path, f"Map value must satisfy constraint: [{', '.join(value_problems)}]")
            )
    return problems


def _constraints(shape: Any, value: Any, path: str) -> list[str]:
    """The enum, range, length and pattern clauses ``value`` breaks (for scalars, lists and maps)."""
    meta = shape.metadata
    kind = shape.type_name
    problems = []
    enum = getattr(shape, "enum", None) or meta.get("enum")
    if kind == "string" and enum and value not in enum:
        problems.append(_clause(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]"))
    if kind in _NUMBERS:
        if "min" in meta and value < meta["min"]:
            problems.append(
                _clause(value, path, f"Member must have value greater than or equal to {meta['min']}")
            )
        if "max" in meta and value > meta["max"]:
            problems.append(
                _clause(value, path, f"Member must have value less than or equal to {meta['max']}")
            )
    elif kind in ("string", "list", "map", "blob"):
        size = len(value)
        if "min" in meta and size < meta["min"]:
            problems.append(
                _clause(value, path, f"Member must have length greater than or equal to {meta['min']}")
            )
        if "max" in meta and size > meta["max"]:
            problems.append(
                _clause(value, path, f"Member must have length less than or equal to {meta['max']}")
            )
    if kind == "string" and meta.get("pattern"):
        compiled = _pattern(meta["pattern"])
        if compiled is not None and compiled.fullmatch(value) is None:
            problems.append(
                _clause(value, path, f"Member must satisfy regular expression pattern: {meta['pattern']}")
            )
    return problems


def _check_type(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    expected: tuple[type, ...] = {
        "structure": (dict,),
        "list": (list, tuple),
        "map": (dict,),
        "string": (str,),
        "boolean": (bool,),
        "integer": (int,),
        "long": (int,),
        "float": (int, float),
        "double": (int, float),
        "blob": (bytes, bytearray, memoryview, str),
        "timestamp": (datetime, date, int, float, str),
    }.get(kind, (object,))
    if getattr(shape, "is_document_type", False):
        return
    if not isinstance(value, expected) or (kind in _NUMBERS and isinstance(value, bool)):
        where = f" (at '{path}')" if path else ""
        raise AwsError(
            SERIALIZATION,
            f"{_json_token(value)} can not be converted to {_java_type(kind)}{where}",
            status=400,
        )


def _clause(value: Any, path: str, rule: str) -> str:
    shown = _render(value)
    shown = shown if len(shown) <= MAX_SHOWN else shown[:MAX_SHOWN] + "..."
    return f"Value '{shown}' at '{path}' failed to satisfy constraint: {rule}"


def _rule(clause: str) -> str:
    return clause.split("failed to satisfy constraint: ", 1)[1]


def _render(value: Any) -> str:
    """``value`` as AWS's (Java) services print it: ``true``, ``[a, b]``, ``{k=v}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}={_render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)


def _json_token(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, Mapping):
        return "Start of structure or map"
    if isinstance(value, (list, tuple)):
        return "Start of list"
    return type(value).__name__


def _java_type(kind: str) -> str:
    return {
        "structure": "a structure",
        "map": "a map",
        "list": "a list",
        "string": "a String",
        "boolean": "a Boolean",
        "integer": "an Integer",
        "long": "a Long",
        "float": "a Float",
        "double": "a Double",
        "blob": "a Blob",
        "timestamp": "a Timestamp",
    }.get(kind, kind)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@lru_cache(maxsize=2048)
def _pattern(java: str) -> re.Pattern[str] | None:
    """A model's (Java) pattern in Python's dialect; ``None`` when Python cannot express it."""
    text = _SURROGATE_PAIR.sub(lambda m: f"\\U{_code_point(m.group(1), m.group(2)):08x}", java)
    try:
        return re.compile(text)
    except re.error:
        return None


def _code_point(high: str, low: str) -> int:
    return 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
