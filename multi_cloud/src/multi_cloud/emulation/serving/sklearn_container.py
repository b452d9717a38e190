"""SageMaker's scikit-learn serving container: ``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn``.

The container loads the model once with ``model_fn(model_dir)``, then per request decodes the body with
``input_fn(body, content_type)``, predicts with ``predict_fn(data, model)`` and encodes with
``output_fn(prediction, accept)``. An inference script (``SAGEMAKER_PROGRAM``, or ``code/inference.py``
in the model archive) overrides any of the four; the defaults here are the container's (CSV / JSON / NPY,
415 for other types) plus the answer ``Accept: application/json;verbose`` gets, predictions and class
probabilities (what this project's handler, ``aws_ai_services/sagemaker/scripts/serve_sklearn.py``, does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.serving.model_loading import load_model
from multi_cloud.emulation.serving.payloads import answer_type, predictions_body, rows_from_body
from multi_cloud.emulation.serving.user_code import load_script

HANDLER_FUNCTIONS = ("model_fn", "input_fn", "predict_fn", "output_fn")


@dataclass(frozen=True)
class Prediction:
    """What the default ``predict_fn`` returns: values, and class probabilities when the model has them."""

    values: tuple[Any, ...]
    probabilities: tuple[tuple[float, ...], ...] = ()


def default_model_fn(model_dir: str) -> Any:
    return load_model(Path(model_dir))


def default_input_fn(body: bytes, content_type: str) -> Any:
    """A 2-D float array from CSV, JSON (rows or ``{"instances"}``) or NPY; BadPayload / 415 otherwise."""
    import numpy as np

    return np.asarray(rows_from_body(body, content_type), dtype=float)


def default_predict_fn(data: Any, model: Any) -> Prediction:
    """``model.predict`` (and ``predict_proba``); rows of the wrong width are InvalidArgument."""
    expected = getattr(model, "n_features_in_", None)
    if len(data) == 0:
        raise InvalidArgument("no instances to predict; pass at least one row of features")
    if expected is not None and data.shape[1] != int(expected):
        raise InvalidArgument(f"the model expects {int(expected)} features per row, got {data.shape[1]}")
    values = tuple(model.predict(data).tolist())
    probabilities: tuple[tuple[float, ...], ...] = ()
    if hasattr(model, "predict_proba"):
        probabilities = tuple(tuple(float(p) for p in row) for row in model.predict_proba(data))
    return Prediction(values, probabilities)


def default_output_fn(prediction: Any, accept: str) -> tuple[bytes, str]:
    """``(body, content type)`` for ``Accept`` (none or ``*/*``: JSON); UnsupportedMediaType otherwise."""
    if not isinstance(prediction, Prediction):
        prediction = Prediction(tuple(getattr(prediction, "tolist", lambda: prediction)()))
    _kind, verbose = answer_type(accept)
    return predictions_body(
        prediction.values, accept, probabilities=prediction.probabilities if verbose else ()
    )


@dataclass(frozen=True)
class SklearnHandler:
    """The four functions the container calls, each the script's own or the default."""

    model_fn: Callable[[str], Any] = default_model_fn
    input_fn: Callable[[bytes, str], Any] = default_input_fn
    predict_fn: Callable[[Any, Any], Any] = default_predict_fn
    output_fn: Callable[[Any, str], Any] = default_output_fn

    @classmethod
    def from_module(cls, module: ModuleType | None) -> SklearnHandler:
        found = {
            name: getattr(module, name) for name in HANDLER_FUNCTIONS if callable(getattr(module, name, None))
        }
        return cls(**found)

    @classmethod
    def from_script(cls, path: Path) -> SklearnHandler:
        return cls.from_module(load_script(path))

    def invoke(self, model: Any, body: bytes, content_type: str, accept: str) -> tuple[bytes, str]:
        """One request through input_fn, predict_fn and output_fn; ``(body, content type)``."""
        answer = self.output_fn(self.predict_fn(self.input_fn(body, content_type), model), accept)
        if isinstance(answer, tuple):
            data, kind = answer
        else:
            data, kind = answer, accept or "application/json"
        return (data.encode() if isinstance(data, str) else bytes(data)), str(kind)


DEFAULT_HANDLER = SklearnHandler()
