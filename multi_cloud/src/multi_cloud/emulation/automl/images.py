"""AutoML for images over precomputed features (e.g. a CNN's pooled features): a linear classifier search.

The search tries scaled logistic regressions with a few regularisation strengths; the fitted artifact is a
plain scikit-learn ``Pipeline`` over the feature rows.
"""

from __future__ import annotations

import random
from typing import Any

from multi_cloud.emulation.automl.search import Candidate, SearchResult, run_search


def search_images(
    features: Any, labels: list[str], *, budget_seconds: float, early_stopping: bool = True, seed: int = 0
) -> SearchResult:
    """The best scaled logistic regression over image ``features`` for single-label ``labels``."""
    from collections import Counter

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def build(params: dict[str, Any]) -> Any:
        return LogisticRegression(C=params["C"], max_iter=3000)

    def near(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return {"C": round(params["C"] * 10 ** rng.uniform(-0.5, 0.5), 5)}

    smallest = min(Counter(labels).values())
    folds = StratifiedKFold(n_splits=max(2, min(3, smallest)), shuffle=True, random_state=seed)
    return run_search(
        [Candidate("linear", {"C": value}, build, near) for value in (0.01, 0.1, 1.0)],
        lambda estimator: make_pipeline(StandardScaler(), estimator),
        features,
        labels,
        scoring="neg_log_loss",
        folds=folds,
        budget_seconds=budget_seconds,
        early_stopping=early_stopping,
        seed=seed,
    )
