"""The toolkit's AutoML search: the budget bounds it, early stopping ends it, the winner is the best trial;
the AutoML servers answer AutoML's prediction shapes and refuse bad instances."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from multi_cloud.emulation.automl.search import Candidate, run_search
from multi_cloud.emulation.automl.tabular import (
    TabularInputError,
    TabularProblem,
    resolve_column_types,
    search_tabular,
    to_features,
)
from multi_cloud.emulation.serving.vertex_automl import load_automl_model
from multi_cloud.emulation.serving.vertex_prebuilt import PredictionError
from sklearn.linear_model import LogisticRegression


def churn(rows: int = 400) -> pd.DataFrame:
    """Customers who leave more on short tenures and monthly contracts (seeded, with noise)."""
    rng = np.random.default_rng(7)
    tenure = rng.integers(1, 72, rows)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], rows)
    score = -0.07 * tenure + (contract == "month-to-month") * 2.0 + rng.normal(0, 0.8, rows) + 1.0
    return pd.DataFrame(
        {"tenure_months": tenure, "contract": contract, "churned": np.where(score > 0, "yes", "no")}
    )


def problem(frame: pd.DataFrame, objective: str = "maximize-au-roc") -> TabularProblem:
    return TabularProblem("churned", "classification", objective, resolve_column_types(frame, "churned", {}))


def test_early_stopping_scores_every_candidate_once_and_keeps_the_best() -> None:
    frame = churn()
    result = search_tabular(frame, problem(frame), budget_seconds=60)
    assert len(result.trials) == 7 and not result.stopped_by_budget
    assert {t.family for t in result.trials} == {"linear", "random_forest", "gradient_boosting"}
    assert result.best.score == max(t.score for t in result.trials)
    assert result.leaderboard()[0]["score"] == round(result.best.score, 6)


def test_a_spent_budget_stops_after_one_trial_and_no_early_stopping_spends_it() -> None:
    frame = churn()
    stopped = search_tabular(frame, problem(frame), budget_seconds=0.0)
    assert len(stopped.trials) == 1 and stopped.stopped_by_budget
    rows = churn(120)
    features, target = to_features(rows, {"tenure_months": "numeric"}), rows["churned"]

    def neighbours(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return {"C": params["C"] * rng.uniform(0.5, 2.0)}

    one = [Candidate("linear", {"C": 1.0}, lambda p: LogisticRegression(C=p["C"]), neighbours)]
    kwargs: dict[str, Any] = {"scoring": "roc_auc", "folds": 2, "budget_seconds": 1.5}
    early = run_search(one, lambda e: e, features, target, early_stopping=True, **kwargs)
    spent = run_search(one, lambda e: e, features, target, early_stopping=False, **kwargs)
    assert len(early.trials) == 1 and not early.stopped_by_budget
    assert len(spent.trials) > 1 and spent.stopped_by_budget and spent.seconds >= 0.5


def test_column_types_follow_declared_transformations() -> None:
    frame = churn(50)
    assert resolve_column_types(frame, "churned", {})["contract"] == "categorical"
    declared = resolve_column_types(frame, "churned", {"contract": "auto"})
    assert declared == {"contract": "categorical"}  # undeclared columns are not features
    with pytest.raises(TabularInputError, match="'nope'"):
        resolve_column_types(frame, "churned", {"nope": "numeric"})
    with pytest.raises(TabularInputError, match="target"):
        resolve_column_types(frame, "churned", {"churned": "categorical"})


def test_tabular_server_answers_classes_and_scores_and_names_unknown_columns(tmp_path: Path) -> None:
    frame = churn()
    task = problem(frame)
    result = search_tabular(frame, task, budget_seconds=0.0)
    joblib.dump(result.model, tmp_path / "model.joblib")
    spec = {"kind": "tabular", "predictionType": "classification", "columnTypes": task.column_types}
    (tmp_path / "automl.json").write_text(json.dumps(spec))
    served = load_automl_model(tmp_path)
    row = {k: str(v) for k, v in frame.drop(columns=["churned"]).iloc[0].items()}
    [answer] = served.predict({"instances": [row]})["predictions"]
    assert answer["classes"] == ["no", "yes"] and abs(sum(answer["scores"]) - 1.0) < 1e-9
    typed = to_features(pd.DataFrame([row]), task.column_types)
    assert answer["scores"] == [float(s) for s in result.model.predict_proba(typed)[0]]
    with pytest.raises(PredictionError, match="'tenure'"):
        served.predict({"instances": [{"tenure": "3"}]})
    with pytest.raises(PredictionError, match="object of column name"):
        served.predict({"instances": [[1, 2, 3]]})
    (tmp_path / "automl.json").write_text(json.dumps({**spec, "kind": "image"}))
    with pytest.raises(PredictionError, match="image"):
        load_automl_model(tmp_path)
