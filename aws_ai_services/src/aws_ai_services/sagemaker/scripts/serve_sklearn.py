"""Inference handler for SageMaker's scikit-learn serving container: the model, with class probabilities.

The container's default input_fn reads the request (text/csv, application/json, application/x-npy).
``predict_fn`` adds class probabilities when the model has ``predict_proba``; ``output_fn`` answers
``Accept: application/json;verbose`` with ``{"predictions": [...], "probabilities": [[...]]}`` and any
other ``Accept`` with the container's own encoding of the predictions alone. (The local cloud's endpoints
answer in the same way: multi_cloud.emulation.serving.sklearn_container.)
"""

import json
import os
from typing import Any

import joblib

MODEL_FILENAMES = ("model.joblib", "model.pkl")


def model_fn(model_dir: str) -> object:
    for name in MODEL_FILENAMES:
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            return joblib.load(path)
    raise FileNotFoundError(
        f"no {' or '.join(MODEL_FILENAMES)} in {model_dir}: {sorted(os.listdir(model_dir))}"
    )


def predict_fn(input_data: object, model: object) -> dict[str, Any]:
    predictions = model.predict(input_data)  # type: ignore[attr-defined]
    probabilities = model.predict_proba(input_data) if hasattr(model, "predict_proba") else None
    return {"predictions": predictions, "probabilities": probabilities}


def output_fn(prediction: dict[str, Any], accept: str) -> object:
    kind, _, parameters = accept.partition(";")
    if kind.strip().lower() == "application/json" and "verbose" in parameters.replace(" ", "").split(";"):
        answer = {"predictions": prediction["predictions"].tolist()}
        if prediction["probabilities"] is not None:
            answer["probabilities"] = prediction["probabilities"].tolist()
        return json.dumps(answer), "application/json"
    from sagemaker_sklearn_container.serving import default_output_fn  # the container's own encoders

    return default_output_fn(prediction["predictions"], accept)
