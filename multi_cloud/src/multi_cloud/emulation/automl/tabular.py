"""AutoML for tables: column types, a preprocessing pipeline and scikit-learn candidates for a timed search.

The fitted artifact is a plain scikit-learn ``Pipeline`` that takes a ``pandas.DataFrame`` with the training
columns (numbers may arrive as strings, as AutoML tabular instances do) and needs nothing else to load.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.automl.search import Candidate, SearchResult, run_search

CLASSIFICATION = "classification"
REGRESSION = "regression"
COLUMN_TYPES = ("auto", "numeric", "categorical", "text", "timestamp")
#: the optimization objective of each prediction type and the scikit-learn scorer that ranks candidates
OBJECTIVES: dict[str, dict[str, str]] = {
    CLASSIFICATION: {
        "maximize-au-roc": "roc_auc",
        "minimize-log-loss": "neg_log_loss",
        "maximize-au-prc": "average_precision",
        "maximize-precision-at-recall": "average_precision",
        "maximize-recall-at-precision": "average_precision",
    },
    REGRESSION: {
        "minimize-rmse": "neg_root_mean_squared_error",
        "minimize-mae": "neg_mean_absolute_error",
        "minimize-rmsle": "neg_root_mean_squared_log_error",
    },
}


class TabularInputError(ValueError):
    """The table or the options cannot train a model; the message names the column or option."""


@dataclass(frozen=True)
class TabularProblem:
    target: str
    prediction_type: str
    objective: str
    column_types: dict[str, str]


def default_objective(prediction_type: str, classes: int) -> str:
    """AutoML's defaults: AUC ROC for two classes, log loss for more, RMSE for regression."""
    if prediction_type == REGRESSION:
        return "minimize-rmse"
    return "maximize-au-roc" if classes == 2 else "minimize-log-loss"


def resolve_column_types(frame: Any, target: str, declared: Mapping[str, str]) -> dict[str, str]:
    """Every feature column's type, ``auto`` resolved to numeric or categorical.

    With ``declared`` transformations only the declared columns are features (Vertex ignores the others);
    without, every column but the target is, as ``auto``.
    """
    import pandas as pd

    unknown = sorted(set(declared) - set(frame.columns))
    if unknown:
        raise TabularInputError(f"Column {unknown[0]!r} in the transformations is not in the dataset.")
    if target in declared:
        raise TabularInputError(f"The target column {target!r} must have no transformation.")
    types: dict[str, str] = {}
    for column in frame.columns:
        if column == target or (declared and column not in declared):
            continue
        kind = declared.get(column, "auto")
        if kind not in COLUMN_TYPES:
            raise TabularInputError(f"Column {column!r} has unsupported transformation {kind!r}.")
        if kind == "auto":
            values = frame[column].dropna()
            numeric = pd.to_numeric(values, errors="coerce")
            kind = "numeric" if len(values) and numeric.notna().mean() >= 0.95 else "categorical"
        types[column] = kind
    if not types:
        raise TabularInputError("The dataset has no feature column besides the target column.")
    return types


def to_features(frame: Any, column_types: Mapping[str, str]) -> Any:
    """The feature columns typed for the pipeline: numbers as floats, timestamps as epoch seconds."""
    import pandas as pd

    columns = {}
    for column, kind in column_types.items():
        values = (
            frame[column] if column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        )
        if kind == "numeric":
            columns[column] = pd.to_numeric(values, errors="coerce").astype(float)
        elif kind == "timestamp":
            stamps = pd.to_datetime(values, errors="coerce", utc=True)
            columns[column] = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        else:
            columns[column] = values.astype("string").fillna("").astype(object)
    return pd.DataFrame(columns, index=frame.index)


def preprocessing(column_types: Mapping[str, str]) -> Any:
    """Impute and scale numbers, one-hot categories (unknown ones ignored), TF-IDF text; a dense matrix."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c, k in column_types.items() if k in ("numeric", "timestamp")]
    categorical = [c for c, k in column_types.items() if k == "categorical"]
    parts: list[tuple[str, Any, Any]] = []
    if numeric:
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", min_frequency=2, sparse_output=False)
        parts.append(("categorical", encoder, categorical))
    for column in (c for c, k in column_types.items() if k == "text"):
        parts.append((f"text_{column}", TfidfVectorizer(max_features=300), column))
    return ColumnTransformer(parts, sparse_threshold=0.0)


def candidates(prediction_type: str, seed: int = 0) -> list[Candidate]:
    """Linear models, random forests and gradient boosting, cheapest first."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LogisticRegression, Ridge

    classify = prediction_type == CLASSIFICATION

    def linear(params: dict[str, Any]) -> Any:
        if classify:
            return LogisticRegression(C=params["C"], max_iter=2000)
        return Ridge(alpha=params["alpha"])

    def forest(params: dict[str, Any]) -> Any:
        kind = RandomForestClassifier if classify else RandomForestRegressor
        return kind(
            n_estimators=params["n_estimators"], max_depth=params["max_depth"], random_state=seed, n_jobs=1
        )

    def boosting(params: dict[str, Any]) -> Any:
        kind = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return kind(
            learning_rate=params["learning_rate"], max_leaf_nodes=params["max_leaf_nodes"], random_state=seed
        )

    def near_linear(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        key = "C" if classify else "alpha"
        return {key: round(params[key] * 10 ** rng.uniform(-0.5, 0.5), 5)}

    def near_forest(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        depth = params["max_depth"]
        return {
            "n_estimators": rng.choice((100, 200, 300)),
            "max_depth": depth and max(2, depth + rng.choice((-2, 2))),
        }

    def near_boosting(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        rate = round(min(0.5, max(0.01, params["learning_rate"] * 10 ** rng.uniform(-0.3, 0.3))), 4)
        return {"learning_rate": rate, "max_leaf_nodes": rng.choice((15, 31, 63))}

    key = "C" if classify else "alpha"
    found = [Candidate("linear", {key: value}, linear, near_linear) for value in (0.1, 1.0, 10.0)]
    found += [
        Candidate("random_forest", {"n_estimators": 100, "max_depth": depth}, forest, near_forest)
        for depth in (None, 8)
    ]
    found += [
        Candidate("gradient_boosting", {"learning_rate": rate, "max_leaf_nodes": 31}, boosting, near_boosting)
        for rate in (0.1, 0.05)
    ]
    return found


def search_tabular(
    frame: Any,
    problem: TabularProblem,
    *,
    budget_seconds: float,
    early_stopping: bool = True,
    seed: int = 0,
) -> SearchResult:
    """The best preprocessing + estimator pipeline for ``problem`` on ``frame`` (rows with a target)."""
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.pipeline import Pipeline

    features = to_features(frame, problem.column_types)
    target = frame[problem.target]
    scoring: Any = OBJECTIVES[problem.prediction_type][problem.objective]
    if problem.prediction_type == CLASSIFICATION:
        smallest = int(target.value_counts().min())
        folds: Any = StratifiedKFold(n_splits=max(2, min(3, smallest)), shuffle=True, random_state=seed)
        if target.nunique() > 2 and scoring in ("roc_auc", "average_precision"):
            scoring = "roc_auc_ovr" if scoring == "roc_auc" else "neg_log_loss"
        elif scoring == "average_precision":  # string labels: the positive class is the last, as sklearn's
            from sklearn.metrics import average_precision_score, make_scorer

            positive = sorted(target.unique())[-1]
            scoring = make_scorer(
                average_precision_score, response_method="predict_proba", pos_label=positive
            )
    else:
        folds = KFold(n_splits=3, shuffle=True, random_state=seed)

    def wrap(estimator: Any) -> Any:
        return Pipeline([("features", preprocessing(problem.column_types)), ("model", estimator)])

    return run_search(
        candidates(problem.prediction_type, seed),
        wrap,
        features,
        target,
        scoring=scoring,
        folds=folds,
        budget_seconds=budget_seconds,
        early_stopping=early_stopping,
        seed=seed,
    )


def class_labels(values: Sequence[Any]) -> list[str]:
    return sorted({str(v) for v in values})
