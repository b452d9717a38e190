"""Scripts shipped to SageMaker containers (inference handlers)."""

from __future__ import annotations

from pathlib import Path

SCRIPTS_DIR = Path(__file__).parent
SERVE_SKLEARN = SCRIPTS_DIR / "serve_sklearn.py"
