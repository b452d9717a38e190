"""Scripts shipped to SageMaker containers: inference handlers and the checkpointed training script."""

from __future__ import annotations

from pathlib import Path

SCRIPTS_DIR = Path(__file__).parent
SERVE_SKLEARN = SCRIPTS_DIR / "serve_sklearn.py"
TRAIN_CHECKPOINTED = SCRIPTS_DIR / "train_checkpointed.py"
