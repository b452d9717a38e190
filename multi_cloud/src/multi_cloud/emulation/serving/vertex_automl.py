"""Vertex AI AutoML models served as Vertex serves them: tabular instances are objects of column → value,
image instances ``{"content": base64}``; answers in AutoML's prediction schemas.

The model directory holds ``model.joblib`` (a scikit-learn pipeline, loadable as the prebuilt images load
it) and ``automl.json`` (what the pipeline expects and how to answer): ``{"kind": "tabular"|"image", ...}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.serving.vertex_prebuilt import PrebuiltModel, PredictionError

AUTOML_SPEC = "automl.json"
#: encoded images → an ``(n, features)`` matrix; ValueError naming a bad image
Featurize = Callable[[list[bytes]], Any]


@dataclass(frozen=True)
class AutoMLTabularModel(PrebuiltModel):
    """Classification answers ``{"classes", "scores"}``, regression ``{"value", "lower_bound"…}``.

    Values may be strings (AutoML's JSON sends every value as one): numeric columns are parsed.
    """

    spec: dict[str, Any] = field(default_factory=dict)

    def predict(self, request: Mapping[str, Any]) -> dict[str, Any]:
        import pandas as pd

        from multi_cloud.emulation.automl.tabular import to_features

        instances = _instances(request)
        types: dict[str, str] = self.spec["columnTypes"]
        bad = next((i for i, row in enumerate(instances) if not isinstance(row, Mapping)), None)
        if bad is not None:
            raise PredictionError(
                400,
                f"instances[{bad}] must be an object of column name to value, e.g. "
                f"{json.dumps({c: '...' for c in list(types)[:3]})}.",
            )
        unknown = sorted({str(k) for row in instances for k in row} - set(types))
        if unknown:
            raise PredictionError(
                400, f"instances name unknown column {unknown[0]!r}; the model's columns: {list(types)}."
            )
        frame = to_features(pd.DataFrame([dict(row) for row in instances]), types)
        try:
            if self.spec["predictionType"] == "classification":
                return {"predictions": self._classes(frame)}
            values = self.model.predict(frame)
        except Exception as exc:  # noqa: BLE001 - the model's own error becomes the server's 400
            raise PredictionError(400, f"prediction failed: {type(exc).__name__}: {exc}") from exc
        low, high = self.spec.get("residualQuantiles", [0.0, 0.0])
        return {
            "predictions": [
                {
                    "value": float(v),
                    "lower_bound": float(v) + float(low),
                    "upper_bound": float(v) + float(high),
                }
                for v in values
            ]
        }

    def _classes(self, frame: Any) -> list[dict[str, Any]]:
        scores = self.model.predict_proba(frame)
        classes = [str(c) for c in self.model.classes_]
        return [{"classes": classes, "scores": [float(s) for s in row]} for row in scores]


@dataclass(frozen=True)
class AutoMLImageModel(PrebuiltModel):
    """Single-label classification: ``{"ids", "displayNames", "confidences"}`` over a confidence threshold."""

    spec: dict[str, Any] = field(default_factory=dict)
    featurize: Featurize | None = field(default=None, repr=False)

    def predict(self, request: Mapping[str, Any]) -> dict[str, Any]:
        if self.featurize is None:
            raise PredictionError(500, "this image model was loaded without its feature extractor")
        instances = _instances(request)
        images = []
        for index, row in enumerate(instances):
            content = row.get("content") if isinstance(row, Mapping) else None
            if not isinstance(content, str) or not content:
                raise PredictionError(400, f'instances[{index}] must be {{"content": "<base64 image>"}}.')
            try:
                images.append(base64.b64decode(content, validate=True))
            except (binascii.Error, ValueError) as exc:
                raise PredictionError(400, f"instances[{index}].content is not base64: {exc}") from exc
        parameters = request.get("parameters") or {}
        threshold = float(parameters.get("confidenceThreshold", 0.0))
        most = int(parameters.get("maxPredictions", 10))
        try:
            scores = self.model.predict_proba(self.featurize(images))
        except ValueError as exc:
            raise PredictionError(400, str(exc)) from exc
        classes = [str(c) for c in self.model.classes_]
        ids: dict[str, str] = self.spec.get("annotationSpecIds", {})
        answers = []
        for row in scores:
            ranked = [i for i in sorted(range(len(classes)), key=lambda i: -row[i]) if row[i] >= threshold][
                :most
            ]
            answers.append(
                {
                    "ids": [ids.get(classes[i], str(i)) for i in ranked],
                    "displayNames": [classes[i] for i in ranked],
                    "confidences": [float(row[i]) for i in ranked],
                }
            )
        return {"predictions": answers}


def load_automl_model(model_dir: Path, featurize: Featurize | None = None) -> PrebuiltModel:
    """The AutoML server for ``model_dir`` (``model.joblib`` + ``automl.json``); image models need the
    ``featurize`` function that turns encoded images into the feature rows they were trained on."""
    import joblib

    path = model_dir / AUTOML_SPEC
    try:
        spec = json.loads(path.read_text())
        model = joblib.load(model_dir / "model.joblib")
    except (OSError, ValueError) as exc:
        raise PredictionError(500, f"{model_dir} is not an AutoML model directory: {exc}") from exc
    if spec.get("kind") == "tabular":
        return AutoMLTabularModel(model, "model.joblib", spec)
    if spec.get("kind") == "image" and featurize is not None:
        return AutoMLImageModel(model, "model.joblib", spec, featurize)
    raise PredictionError(
        500, f"{AUTOML_SPEC} names kind {spec.get('kind')!r}, which this server cannot load."
    )


def _instances(request: Mapping[str, Any]) -> list[Any]:
    instances = request.get("instances") if isinstance(request, Mapping) else None
    if not isinstance(instances, list) or not instances:
        raise PredictionError(400, 'The request must be a JSON object with a non-empty "instances" list.')
    return instances
