"""Request and response bodies of the scikit-learn serving container: CSV, JSON and JSON Lines.

Pure functions, shared by the in-process endpoint runtime, batch transform and any emulator serving
``InvokeEndpoint``: ``rows_from_body`` is the container's ``input_fn`` (rows of numbers), and
``predictions_body`` its ``output_fn``. Any other content type is what the container answers with
HTTP 415, raised here as :class:`UnsupportedMediaType`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

CSV = "text/csv"
JSON = "application/json"
JSON_LINES = "application/jsonlines"
SUPPORTED_CONTENT_TYPES = (CSV, JSON, JSON_LINES)

Rows = list[list[float]]


class UnsupportedMediaType(ValueError):
    """The container does not read or write this content type (HTTP 415)."""

    def __init__(self, content_type: str, what: str = "ContentType") -> None:
        super().__init__(
            f"415 Unsupported Media Type: the scikit-learn container does not accept {what} "
            f"{content_type!r}; use one of {', '.join(SUPPORTED_CONTENT_TYPES)}"
        )
        self.content_type = content_type


class BadPayload(ValueError):
    """The body does not hold rows of numbers (the container answers HTTP 400)."""


def media_type(content_type: str, what: str = "ContentType") -> str:
    """``"text/csv; charset=utf-8"`` -> ``"text/csv"``; unsupported types raise UnsupportedMediaType."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base == "application/x-jsonlines":
        base = JSON_LINES
    if base not in SUPPORTED_CONTENT_TYPES:
        raise UnsupportedMediaType(content_type, what)
    return base


def rows_from_body(body: bytes, content_type: str) -> Rows:
    """Rows of features from a request body (CSV lines, a JSON array / ``{"instances": ...}``, JSON lines)."""
    kind = media_type(content_type)
    text = body.decode("utf-8-sig", errors="replace")
    if kind == CSV:
        return [
            numbers(fields, f"CSV line {n}")
            for n, fields in enumerate(csv.reader(io.StringIO(text)), 1)
            if _filled(fields)
        ]
    if kind == JSON:
        return rows_from_value(_json(text, "the body"), "the JSON body")
    rows: Rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            rows += rows_from_value(_json(line, f"JSON line {number}"), f"JSON line {number}")
    return rows


def rows_from_value(value: Any, where: str) -> Rows:
    """A parsed JSON value as rows: ``[1, 2]``, ``[[1, 2], [3, 4]]``, ``{"instances"|"features": ...}``."""
    if isinstance(value, dict):
        for key in ("instances", "features"):
            if key in value:
                return rows_from_value(value[key], where)
        raise BadPayload(f"{where} is an object without 'instances' or 'features'")
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        return [numbers(item, where) for item in value]
    if isinstance(value, list):
        return [numbers(value, where)]
    return [numbers([value], where)]


def numbers(fields: Sequence[Any], where: str) -> list[float]:
    try:
        return [float(field) for field in fields]
    except (TypeError, ValueError) as exc:
        raise BadPayload(f"{where} is not numeric: {exc}") from exc


def csv_body(rows: Sequence[Sequence[float]]) -> bytes:
    """Rows as the CSV request body the SageMaker SDK's CSVSerializer sends."""
    return "".join(",".join(_number(v) for v in row) + "\n" for row in rows).encode()


def predictions_body(values: Sequence[Any], accept: str) -> tuple[bytes, str]:
    """``(body, content type)`` of the container's answer: one value per line, or a JSON array."""
    kind = media_type(accept, "Accept")
    if kind == JSON:
        return json.dumps(list(values)).encode(), JSON
    if kind == JSON_LINES:
        return "".join(json.dumps(v) + "\n" for v in values).encode(), JSON_LINES
    return "".join(f"{v}\n" for v in values).encode(), f"{CSV}; charset=utf-8"


def _filled(fields: list[str]) -> bool:
    return bool(fields) and any(field.strip() for field in fields)


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadPayload(f"{where} is not valid JSON: {exc}") from exc


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))
