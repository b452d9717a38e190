"""Run a served model: an onnxruntime session, or the scikit-learn estimator when ONNX is impossible."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from multi_cloud.core.errors import InvalidArgument, MissingDependency

Runtime = Literal["onnxruntime", "sklearn"]
Outputs = tuple[tuple[Any, ...], tuple[tuple[float, ...], ...]]


def to_matrix(instances: Sequence[Sequence[float]] | Any, n_features: int) -> Any:
    """``instances`` as a 2-D float64 array of ``n_features`` columns; InvalidArgument naming the problem."""
    import numpy as np

    if isinstance(instances, (str, bytes)) or len(instances) == 0:
        raise InvalidArgument("no instances to predict: pass a list of rows, e.g. [[5.1, 3.5, 1.4, 0.2]]")
    try:
        matrix = np.asarray(instances, dtype=np.float64)
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.ndim != 2:
        _diagnose_rows(instances, n_features)
        raise InvalidArgument("instances must be a list of rows of numbers, e.g. [[5.1, 3.5, 1.4, 0.2]]")
    if matrix.shape[1] != n_features:
        raise InvalidArgument(
            f"model expects {n_features} features, got {matrix.shape[1]}; send rows of {n_features} "
            "numbers in the order of the training columns (without the label)"
        )
    return matrix


def _diagnose_rows(instances: Any, n_features: int) -> None:
    for index, row in enumerate(instances):
        if isinstance(row, (int, float)):
            raise InvalidArgument(
                "instances must be a list of rows, not one flat row: wrap it, e.g. [[5.1, 3.5, 1.4, 0.2]]"
            )
        if len(row) != n_features:
            raise InvalidArgument(
                f"model expects {n_features} features, got {len(row)} in row {index}; every row needs "
                f"{n_features} numbers"
            )
        for value in row:
            try:
                float(value)
            except (TypeError, ValueError):
                raise InvalidArgument(
                    f"row {index} holds {value!r}, which is not a number; send numeric features only"
                ) from None


def _plain(values: Any) -> tuple[Any, ...]:
    return tuple(values.ravel().tolist())


class ModelRuntime(Protocol):
    runtime: Runtime
    n_features: int

    def predict(self, matrix: Any) -> Outputs: ...


class OnnxRuntimeModel:
    """An onnxruntime InferenceSession over the converted graph (one thread: the single-row fast path)."""

    runtime: Runtime = "onnxruntime"

    def __init__(self, onnx_bytes: bytes, n_features: int) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingDependency(
                f"ONNX serving needs onnxruntime ({exc}): pip install onnxruntime"
            ) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.n_features = n_features

    def predict(self, matrix: Any) -> Outputs:
        import numpy as np

        outputs = self.session.run(None, {self.input_name: matrix.astype(np.float32, copy=False)})
        probabilities: tuple[tuple[float, ...], ...] = ()
        if len(outputs) > 1 and getattr(outputs[1], "ndim", 0) == 2:
            # float32 arithmetic: round to the 6 digits it carries (no 1.0000001 probabilities)
            probabilities = tuple(tuple(round(float(p), 6) for p in row) for row in outputs[1].tolist())
        return _plain(outputs[0]), probabilities


class SklearnModel:
    """The unpickled scikit-learn estimator itself (the fallback when ONNX conversion is impossible)."""

    runtime: Runtime = "sklearn"

    def __init__(self, model: Any, n_features: int) -> None:
        self.model = model
        self.n_features = n_features

    def predict(self, matrix: Any) -> Outputs:
        import numpy as np

        values = np.asarray(self.model.predict(matrix))
        probabilities: tuple[tuple[float, ...], ...] = ()
        if hasattr(self.model, "predict_proba"):
            try:
                probabilities = tuple(
                    tuple(float(p) for p in row) for row in self.model.predict_proba(matrix)
                )
            except (AttributeError, NotImplementedError):
                probabilities = ()  # e.g. SVC(probability=False) exposes the method but refuses
        return _plain(values), probabilities


def open_runtime(model_dir: Path, onnx_file: Path, n_features: int, runtime: Runtime) -> ModelRuntime:
    """Rebuild a served model from its files on disk (used when another provider instance deployed it)."""
    if runtime == "onnxruntime":
        return OnnxRuntimeModel(onnx_file.read_bytes(), n_features)
    from multi_cloud.onprem.model_artifacts import load_estimator

    return SklearnModel(load_estimator(model_dir, str(model_dir)), n_features)
