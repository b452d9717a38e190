"""Bodies a client sends to and reads from a scikit-learn endpoint: CSV rows in, CSV/JSON/NPY answers out.

``csv_body`` is what the SageMaker SDK's CSVSerializer sends; ``predictions_from_body`` reads any answer
the container writes, including ``Accept: application/json;verbose`` (``{"predictions", "probabilities"}``,
what this package's handler, ``scripts/serve_sklearn.py``, answers).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

CSV = "text/csv"
JSON = "application/json"
NPY = "application/x-npy"
#: what an endpoint's container writes
SERVING_CONTENT_TYPES = (CSV, JSON, NPY)
#: the Accept value of the package's handler that adds class probabilities to a JSON answer
VERBOSE_JSON = f"{JSON};verbose"


def csv_body(rows: Sequence[Sequence[float]]) -> bytes:
    """Rows as the CSV request body the SageMaker SDK's CSVSerializer sends."""
    return "".join(",".join(_number(v) for v in row) + "\n" for row in rows).encode()


def predictions_from_body(
    body: bytes, content_type: str
) -> tuple[tuple[Any, ...], tuple[tuple[float, ...], ...]]:
    """``(predictions, class probabilities or ())`` from an endpoint's answer; ValueError for other types."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in SERVING_CONTENT_TYPES:
        raise ValueError(
            f"unexpected answer ContentType {content_type!r}; expected one of {SERVING_CONTENT_TYPES}"
        )
    if kind == NPY:
        import numpy as np

        return tuple(np.load(io.BytesIO(body), allow_pickle=False).tolist()), ()
    text = body.decode("utf-8")
    if kind == CSV:
        return tuple(_scalar(line) for line in text.splitlines() if line.strip()), ()
    value = json.loads(text)
    if isinstance(value, dict):
        probabilities = tuple(tuple(float(p) for p in row) for row in value.get("probabilities", []))
        return tuple(value.get("predictions", [])), probabilities
    return tuple(value if isinstance(value, list) else [value]), ()


def _scalar(text: str) -> Any:
    """A CSV answer line as the number it holds (``"2"`` -> 2, ``"0.5"`` -> 0.5), else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text.strip()


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))
