"""Inference handler for SageMaker's scikit-learn serving container: load the trained model file.

The container's default input_fn (text/csv, application/json), predict_fn (``model.predict``) and
output_fn do the rest; only ``model_fn`` has no default.
"""

import os

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
