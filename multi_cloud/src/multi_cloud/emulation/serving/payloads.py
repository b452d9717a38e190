"""Request and response bodies of scikit-learn serving containers: CSV, JSON and NPY (batch: JSON Lines).

``rows_from_body`` is the container's ``input_fn`` and ``predictions_body`` its ``output_fn``; no
``Content-Type`` or ``Accept`` (or ``*/*``) means JSON. ``Accept: application/json;verbose`` answers
``{"predictions": [...], "probabilities": [[...]]}``. A type the container cannot read or write is HTTP 415
(:class:`UnsupportedMediaType`); a body that is not rows of numbers is HTTP 400 (:class:`BadPayload`).
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
NPY = "application/x-npy"
#: what batch transform reads and writes (records are split and joined as text)
SUPPORTED_CONTENT_TYPES = (CSV, JSON, JSON_LINES)
#: what an endpoint's container reads and writes (its encoders: no JSON Lines)
SERVING_CONTENT_TYPES = (CSV, JSON, NPY)
#: the Accept value of the package's handler that adds class probabilities to a JSON answer
VERBOSE_JSON = f"{JSON};verbose"

Rows = list[list[float]]
Probabilities = Sequence[Sequence[float]]


class UnsupportedMediaType(ValueError):
    """The container does not read or write this content type (HTTP 415)."""

    def __init__(
        self,
        content_type: str,
        what: str = "ContentType",
        supported: Sequence[str] = SUPPORTED_CONTENT_TYPES,
    ) -> None:
        super().__init__(
            f"415 Unsupported Media Type: the scikit-learn container does not accept {what} "
            f"{content_type or '(none)'!r}; use one of {', '.join(supported)}"
        )
        self.content_type = content_type
        self.status = 415


class BadPayload(ValueError):
    """The body does not hold rows of numbers (the container answers HTTP 400)."""


def media_type(
    content_type: str, what: str = "ContentType", supported: Sequence[str] = SUPPORTED_CONTENT_TYPES
) -> str:
    """``"text/csv; charset=utf-8"`` -> ``"text/csv"``; unsupported types raise UnsupportedMediaType."""
    base = _base(content_type)
    if base not in supported:
        raise UnsupportedMediaType(content_type, what, supported)
    return base


def rows_from_body(body: bytes, content_type: str) -> Rows:
    """Rows of features from a request body: CSV lines, a JSON array (or ``{"instances": ...}``) or a
    saved NumPy array."""
    kind = media_type(content_type or JSON, supported=SERVING_CONTENT_TYPES)
    if kind == NPY:
        return _npy_rows(body)
    text = body.decode("utf-8-sig", errors="replace")
    if kind == CSV:
        return [
            numbers(fields, f"CSV line {n}")
            for n, fields in enumerate(csv.reader(io.StringIO(text)), 1)
            if _filled(fields)
        ]
    return rows_from_value(_json(text, "the body"), "the JSON body")


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


def answer_type(accept: str) -> tuple[str, bool]:
    """``(media type, verbose)`` of the answer for ``Accept``; none or ``*/*`` is the container's default,
    ``application/json`` (``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``). UnsupportedMediaType otherwise."""
    base, _, parameters = (accept or "").partition(";")
    kind = _base(base)
    if kind in ("", "*/*"):
        return JSON, False
    if kind not in SERVING_CONTENT_TYPES:
        raise UnsupportedMediaType(accept, "Accept", SERVING_CONTENT_TYPES)
    verbose = kind == JSON and "verbose" in [p.strip().lower() for p in parameters.split(";")]
    return kind, verbose


def predictions_body(
    values: Sequence[Any], accept: str, *, probabilities: Probabilities = ()
) -> tuple[bytes, str]:
    """``(body, content type)`` of the container's answer for ``Accept`` (see :func:`answer_type`)."""
    kind, verbose = answer_type(accept)
    if kind == JSON and verbose:
        answer: dict[str, Any] = {"predictions": list(values)}
        if probabilities:
            answer["probabilities"] = [list(row) for row in probabilities]
        return json.dumps(answer).encode(), JSON
    if kind == JSON:
        return json.dumps(list(values)).encode(), JSON
    if kind == NPY:
        import numpy as np

        buffer = io.BytesIO()
        np.save(buffer, np.asarray(list(values)), allow_pickle=False)
        return buffer.getvalue(), NPY
    # the container's Flask response adds the charset to text types
    return "".join(f"{v}\n" for v in values).encode(), f"{CSV}; charset=utf-8"


def _base(content_type: str) -> str:
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return JSON_LINES if base == "application/x-jsonlines" else base


def _filled(fields: list[str]) -> bool:
    return bool(fields) and any(field.strip() for field in fields)


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadPayload(f"{where} is not valid JSON: {exc}") from exc


def _npy_rows(body: bytes) -> Rows:
    array = _npy_array(body)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise BadPayload(f"the NPY body is an array of shape {array.shape}, not rows of features")
    try:
        return array.astype(float).tolist()  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise BadPayload(f"the NPY body is not numeric: {exc}") from exc


def _npy_array(body: bytes) -> Any:
    import numpy as np

    try:
        return np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise BadPayload(f"the body is not a saved NumPy array (application/x-npy): {exc}") from exc
