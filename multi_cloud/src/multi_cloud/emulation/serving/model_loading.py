"""Load a trained scikit-learn model from an unpacked model directory (model.joblib / model.pkl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument

MODEL_FILENAMES = ("model.joblib", "model.pkl")


def find_model_file(model_dir: Path) -> Path:
    for name in MODEL_FILENAMES:
        candidate = model_dir / name
        if candidate.is_file():
            return candidate
    found = sorted(p.name for p in model_dir.iterdir()) if model_dir.is_dir() else []
    raise InvalidArgument(
        f"no model file in the artifact (looked for {', '.join(MODEL_FILENAMES)}; found "
        f"{found or 'nothing'}). The training script must save its model into SM_MODEL_DIR, "
        "e.g. joblib.dump(model, os.path.join(os.environ['SM_MODEL_DIR'], 'model.joblib'))."
    )


def load_model(model_dir: Path) -> Any:
    import joblib

    return joblib.load(find_model_file(model_dir))
