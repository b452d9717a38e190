"""Reading Google REST request bodies: required fields, base64 bytes, enums, with Google's error wording."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError


def invalid(message: str) -> GoogleError:
    return GoogleError("INVALID_ARGUMENT", message)


def unimplemented(what: str, reason: str) -> GoogleError:
    """``UNIMPLEMENTED`` naming what the local emulator cannot compute, and why."""
    return GoogleError("UNIMPLEMENTED", f"the local emulator does not compute {what}: {reason}")


def member(body: dict[str, Any], name: str, path: str = "") -> dict[str, Any]:
    """The object at ``body[name]`` ({} when absent); INVALID_ARGUMENT when it is not an object."""
    value = body.get(name) or {}
    if not isinstance(value, dict):
        raise invalid(f"Invalid value at '{path or name}': expected an object.")
    return value


def text_field(body: dict[str, Any], name: str, path: str = "") -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise invalid(f"Invalid value at '{path or name}' (TYPE_STRING), {value!r}")
    return value


def number_field(body: dict[str, Any], name: str, default: float, path: str = "") -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(f"Invalid value at '{path or name}' (TYPE_DOUBLE), {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise invalid(f"Invalid value at '{path or name}' (TYPE_DOUBLE), {value!r}") from exc


def numbered(*names: str) -> dict[str, int]:
    """An enum whose members are numbered 0, 1, 2... in order."""
    return {member_name: number for number, member_name in enumerate(names)}


def enum_field(
    body: dict[str, Any], name: str, numbers: Mapping[str, int], default: str, path: str = ""
) -> str:
    """An enum member by name (``"LINEAR16"``) or by its proto number (the REST clients send numbers)."""
    value = body.get(name, default)
    if isinstance(value, int) and not isinstance(value, bool):
        found = next((member_name for member_name, number in numbers.items() if number == value), None)
        if found is not None:
            return found
    if isinstance(value, str) and value in numbers:
        return value
    raise invalid(f"Invalid value at '{path or name}' ({name}), {value!r}")


def content_bytes(body: dict[str, Any], name: str = "content", path: str = "") -> bytes:
    """A ``bytes`` field: base64 (standard or URL-safe) as protobuf JSON encodes it."""
    value = body.get(name, "")
    if not isinstance(value, str):
        raise invalid(f"Invalid value at '{path or name}' (TYPE_BYTES), expected a base64 string")
    try:
        padded = value + "=" * (-len(value) % 4)
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"Invalid value at '{path or name}' (TYPE_BYTES), Base64 decoding failed") from exc


def encode_bytes(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
