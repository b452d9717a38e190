"""A model search within a time budget: each candidate scored by cross-validation, the best refit on all rows.

Candidates run cheapest first; the search stops when the next one would overrun the budget (at least one
always runs). With ``early_stopping`` off, once the grid is done random neighbours of the best candidate keep
being tried until the budget is spent, as AutoML spends a whole budget when told not to stop early.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """One model family with one hyperparameter setting; ``build(params)`` makes the unfitted estimator."""

    family: str
    params: dict[str, Any]
    build: Callable[[dict[str, Any]], Any] = field(repr=False)
    neighbours: Callable[[dict[str, Any], random.Random], dict[str, Any]] | None = field(
        default=None, repr=False
    )


@dataclass(frozen=True)
class Trial:
    family: str
    params: dict[str, Any]
    score: float
    seconds: float


@dataclass
class SearchResult:
    """The winning fitted pipeline and every trial, in the order they ran."""

    best: Trial
    model: Any
    trials: list[Trial]
    seconds: float
    stopped_by_budget: bool

    def leaderboard(self) -> list[dict[str, Any]]:
        ranked = sorted(self.trials, key=lambda t: -t.score)
        return [
            {
                "family": t.family,
                "params": t.params,
                "score": round(t.score, 6),
                "seconds": round(t.seconds, 3),
            }
            for t in ranked
        ]


def run_search(
    candidates: Sequence[Candidate],
    wrap: Callable[[Any], Any],
    features: Any,
    target: Any,
    *,
    scoring: Any,
    folds: Any,
    budget_seconds: float,
    early_stopping: bool = True,
    seed: int = 0,
) -> SearchResult:
    """Score ``wrap(candidate.build(params))`` by cross-validation (higher is better) within the budget."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # one core: the local cloud shares the machine
        return _search(
            candidates, wrap, features, target, scoring, folds, budget_seconds, early_stopping, seed
        )


def _search(
    candidates: Sequence[Candidate],
    wrap: Callable[[Any], Any],
    features: Any,
    target: Any,
    scoring: Any,
    folds: Any,
    budget_seconds: float,
    early_stopping: bool,
    seed: int,
) -> SearchResult:
    import numpy as np
    from sklearn.model_selection import cross_val_score

    if not candidates:
        raise ValueError("the search needs at least one candidate")
    started = time.monotonic()
    trials: list[Trial] = []
    last = 0.0
    stopped = False
    rng = random.Random(seed)  # noqa: S311 - reproducible search, not secrets
    queue = list(candidates)
    ran: list[Candidate] = []
    while queue:
        elapsed = time.monotonic() - started
        if trials and elapsed + last > budget_seconds:
            stopped = True
            break
        candidate = queue.pop(0)
        began = time.monotonic()
        scores = cross_val_score(
            wrap(candidate.build(candidate.params)), features, target, scoring=scoring, cv=folds
        )
        last = time.monotonic() - began
        score = float(np.nanmean(scores)) if np.isfinite(scores).any() else float("-inf")
        trials.append(Trial(candidate.family, dict(candidate.params), score, last))
        ran.append(candidate)
        leader = ran[max(range(len(trials)), key=lambda i: trials[i].score)]
        if not queue and not early_stopping and leader.neighbours is not None:
            queue.append(
                Candidate(
                    leader.family, leader.neighbours(leader.params, rng), leader.build, leader.neighbours
                )
            )
    index = max(range(len(trials)), key=lambda i: trials[i].score)
    best = trials[index]
    model = wrap(ran[index].build(ran[index].params))
    model.fit(features, target)
    return SearchResult(best, model, trials, time.monotonic() - started, stopped)
