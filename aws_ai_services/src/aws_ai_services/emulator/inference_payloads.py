"""Request and response bodies of SageMaker's scikit-learn serving container: CSV, JSON and NPY.

As in the container's default ``input_fn``/``output_fn``: ``text/csv`` is one row of features per line,
``application/json`` a list of rows (or one row, or ``{"instances": [...]}``), ``application/x-npy`` a
saved NumPy array. The answer uses ``Accept``; without one (or ``*/*``) the request's own content type.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

CSV, JSON, NPY = "text/csv", "application/json", "application/x-npy"
SUPPORTED = (CSV, JSON, NPY)


class PayloadError(ValueError):
    """The container rejects the payload; ``status`` is the HTTP code it answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def media_type(content_type: str) -> str:
    """``text/csv; charset=utf-8`` -> ``text/csv``."""
    return content_type.split(";", 1)[0].strip().lower()


def decode_rows(body: bytes, content_type: str) -> list[list[float]]:
    kind = media_type(content_type or "")
    if kind not in SUPPORTED:
        raise PayloadError(
            415,
            f"Content type {content_type or '(none)'} is not supported by this framework. Send one of "
            f"{', '.join(SUPPORTED)}, or implement input_fn to deserialize the request data.",
        )
    try:
        if kind == CSV:
            return _csv_rows(body)
        if kind == JSON:
            return _json_rows(body)
        return _npy_rows(body)
    except PayloadError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise PayloadError(400, f"could not read the {kind} payload: {exc}") from exc


def _csv_rows(body: bytes) -> list[list[float]]:
    lines = [line.strip() for line in body.decode("utf-8").splitlines() if line.strip()]
    return [[float(cell) for cell in line.split(",")] for line in lines]


def _json_rows(body: bytes) -> list[list[float]]:
    data = json.loads(body)
    if isinstance(data, dict):
        if "instances" not in data:
            raise PayloadError(400, 'a JSON object payload needs an "instances" list of rows')
        data = data["instances"]
    if isinstance(data, list) and data and all(isinstance(v, (int, float)) for v in data):
        data = [data]
    if not isinstance(data, list):
        raise PayloadError(400, "the JSON payload must be a list of rows of numbers")
    return [[float(v) for v in row] for row in data]


def _npy_rows(body: bytes) -> list[list[float]]:
    import numpy as np

    array = np.load(io.BytesIO(body), allow_pickle=False)
    if array.ndim == 1:
        array = array[None, :]
    return array.astype(float).tolist()  # type: ignore[no-any-return]


def response_type(accept: str, content_type: str) -> str:
    """The media type to answer in; PayloadError 406 when ``Accept`` names none the container writes."""
    wanted = [media_type(part) for part in (accept or "").split(",") if part.strip()]
    if not wanted or wanted == ["*/*"]:
        kind = media_type(content_type or "")
        return kind if kind in SUPPORTED else JSON
    for kind in wanted:
        if kind in SUPPORTED:
            return kind
    raise PayloadError(
        406, f"Accept type {accept} is not supported; the container writes {', '.join(SUPPORTED)}"
    )


def encode_predictions(values: Sequence[Any], kind: str) -> bytes:
    if kind == CSV:
        return "".join(f"{value}\n" for value in values).encode("utf-8")
    if kind == JSON:
        return json.dumps(list(values)).encode("utf-8")
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(values), allow_pickle=False)
    return buffer.getvalue()
