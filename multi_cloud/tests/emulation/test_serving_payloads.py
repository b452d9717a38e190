"""The serving toolkit's payload codecs (the scikit-learn containers' CSV / JSON / NPY encoders)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from multi_cloud.emulation.serving.payloads import (
    BadPayload,
    UnsupportedMediaType,
    answer_type,
    predictions_body,
    rows_from_body,
)

ROWS = [[5.1, 3.5], [6.7, 3.0]]


def test_csv_json_and_npy_bodies_are_rows() -> None:
    assert rows_from_body(b"5.1,3.5\n\n6.7,3.0\n", "text/csv; charset=utf-8") == ROWS
    assert rows_from_body(json.dumps(ROWS).encode(), "application/json") == ROWS
    assert rows_from_body(json.dumps({"instances": ROWS}).encode(), "") == ROWS  # no type: JSON
    assert rows_from_body(b"[5.1, 3.5]", "application/json") == [[5.1, 3.5]]
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(ROWS))
    assert rows_from_body(buffer.getvalue(), "application/x-npy") == ROWS


def test_bad_bodies_are_400_and_unknown_types_415() -> None:
    with pytest.raises(BadPayload, match="not numeric"):
        rows_from_body(b"a,b\n", "text/csv")
    with pytest.raises(BadPayload, match="not valid JSON"):
        rows_from_body(b"{", "application/json")
    with pytest.raises(UnsupportedMediaType) as caught:
        rows_from_body(b"<rows/>", "application/xml")
    assert caught.value.status == 415 and "application/xml" in str(caught.value)
    with pytest.raises(UnsupportedMediaType):
        answer_type("image/png")


def test_answers_are_encoded_for_accept() -> None:
    assert predictions_body([0, 2], "text/csv") == (b"0\n2\n", "text/csv; charset=utf-8")
    assert predictions_body([0, 2], "*/*") == (b"[0, 2]", "application/json")
    body, kind = predictions_body([0], "application/json;verbose", probabilities=[[0.9, 0.1]])
    assert (json.loads(body), kind) == (
        {"predictions": [0], "probabilities": [[0.9, 0.1]]},
        "application/json",
    )
    body, kind = predictions_body([1, 2], "application/x-npy")
    assert kind == "application/x-npy" and np.load(io.BytesIO(body)).tolist() == [1, 2]
