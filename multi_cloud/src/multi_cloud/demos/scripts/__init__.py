"""Training scripts shipped with the package (used by the tour and the conformance suite)."""

from __future__ import annotations

from pathlib import Path

SCRIPTS_DIR = Path(__file__).parent
SKLEARN_CLASSIFIER = SCRIPTS_DIR / "train_sklearn.py"


def iris_csv(*, with_label: bool = True) -> bytes:
    """The iris data set (shipped inside scikit-learn) as CSV, label first like SageMaker's built-ins."""
    from sklearn.datasets import load_iris

    data = load_iris()
    rows = []
    for features, target in zip(data.data, data.target, strict=True):
        values = [str(int(target))] if with_label else []
        values += [f"{v:.1f}" for v in features]
        rows.append(",".join(values))
    return ("\n".join(rows) + "\n").encode()
