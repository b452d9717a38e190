"""Vertex AI prebuilt prediction containers (scikit-learn, XGBoost): the artifact and request conventions.

The model directory (``artifactUri``) holds exactly one of ``model.joblib``, ``model.pkl`` (scikit-learn)
or ``model.bst`` (XGBoost Booster); a request is ``{"instances": [...], "parameters": {...}}`` and the
answer ``{"predictions": [...]}``, one prediction per instance. Anything else is a
:class:`PredictionError` carrying the HTTP status the container answers with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_FILES = ("model.joblib", "model.pkl", "model.bst")


class PredictionError(Exception):
    """The container refuses the request or the model (HTTP ``status``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class PrebuiltModel:
    model: Any
    filename: str

    def predict(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """``{"predictions": [...]}`` for ``{"instances": [...]}``."""
        import numpy as np

        instances = request.get("instances") if isinstance(request, Mapping) else None
        if not isinstance(instances, list) or not instances:
            raise PredictionError(400, 'The request must be a JSON object with a non-empty "instances" list.')
        try:
            matrix = np.asarray(instances, dtype=float)
        except (TypeError, ValueError) as exc:
            raise PredictionError(400, f"instances must be rows of numbers: {exc}") from exc
        if matrix.ndim == 1:
            matrix = matrix[None, :]
        try:
            if self.filename == "model.bst":
                import xgboost

                values = self.model.predict(xgboost.DMatrix(matrix))
            else:
                values = self.model.predict(matrix)
        except Exception as exc:  # noqa: BLE001 - the framework's error becomes the container's 400
            raise PredictionError(400, f"prediction failed: {type(exc).__name__}: {exc}") from exc
        return {"predictions": np.asarray(values).tolist()}


def load_prebuilt_model(model_dir: Path) -> PrebuiltModel:
    """The model in ``model_dir``; PredictionError(500) when there is not exactly one model file."""
    found = [name for name in MODEL_FILES if (model_dir / name).is_file()]
    if len(found) != 1:
        listed = sorted(p.name for p in model_dir.iterdir()) if model_dir.is_dir() else []
        raise PredictionError(
            500,
            f"the model directory must hold exactly one of {', '.join(MODEL_FILES)}; "
            f"found {listed or 'nothing'}",
        )
    filename = found[0]
    if filename == "model.bst":
        try:
            import xgboost
        except ImportError as exc:
            raise PredictionError(500, "model.bst is an XGBoost model: install xgboost to serve it") from exc
        booster = xgboost.Booster()
        booster.load_model(str(model_dir / filename))
        return PrebuiltModel(booster, filename)
    import joblib

    try:
        return PrebuiltModel(joblib.load(model_dir / filename), filename)
    except Exception as exc:  # noqa: BLE001 - unpickling raises whatever the model's classes raise
        raise PredictionError(500, f"{filename} could not be loaded: {exc}") from exc
