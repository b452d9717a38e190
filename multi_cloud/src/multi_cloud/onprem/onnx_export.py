"""Convert a fitted scikit-learn model to ONNX with skl2onnx (float inputs, labels + probability tensor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import MissingDependency, Unsupported

ONNX_INPUT_NAME = "input"
ONNX_FILENAME = "model.onnx"


@dataclass(frozen=True)
class OnnxExport:
    """An ONNX model converted from a scikit-learn artifact and stored beside it."""

    uri: str
    artifact_uri: str
    onnx_bytes: bytes
    n_features: int
    input_name: str = ONNX_INPUT_NAME


def onnx_uri_for(artifact_uri: str) -> str:
    """Where the ONNX twin of ``.../model.tar.gz`` lives: ``.../model.onnx`` in the same folder."""
    folder, _, filename = artifact_uri.rpartition("/")
    stem = filename.removesuffix(".tar.gz").removesuffix(".tgz")
    if stem == "model" or not folder:
        return f"{folder}/{ONNX_FILENAME}" if folder else ONNX_FILENAME
    return f"{folder}/{stem}.onnx"


def convert_to_onnx(model: Any, n_features: int) -> bytes:
    """The serialized ONNX graph of ``model``; Unsupported with the reason if skl2onnx cannot."""
    try:
        from skl2onnx import to_onnx
        from skl2onnx.common.data_types import FloatTensorType
        from sklearn.base import is_classifier
    except ImportError as exc:
        raise MissingDependency(
            f"ONNX export needs skl2onnx ({exc}): pip install skl2onnx onnxruntime"
        ) from exc
    final_step = model.steps[-1][1] if hasattr(model, "steps") else model
    options = {id(final_step): {"zipmap": False}} if is_classifier(final_step) else None
    try:
        graph = to_onnx(
            model,
            initial_types=[(ONNX_INPUT_NAME, FloatTensorType([None, n_features]))],
            options=options,
        )
    except Exception as exc:  # noqa: BLE001 - skl2onnx raises RuntimeError/NotImplementedError/...
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unsupported(
            f"skl2onnx cannot convert {type(model).__name__}: {first_line} "
            "(serve it with scikit-learn, or choose an estimator skl2onnx supports)"
        ) from exc
    return graph.SerializeToString()  # type: ignore[no-any-return]
