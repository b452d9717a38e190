"""Distribution drift between a baseline sample and live traffic: PSI and the two-sample KS statistic.

* ``ks_statistic`` — the Kolmogorov-Smirnov distance, the largest gap between the two empirical CDFs
  (0 = same distribution, 1 = disjoint); SageMaker Model Monitor's ``baseline_drift_check`` compares
  such a distance with ``comparison_threshold`` (default 0.1). ``ks_p_value`` is the asymptotic
  Kolmogorov p-value with the usual small-sample correction (Numerical Recipes' ``probks``).
* ``psi`` — the population stability index over the baseline's quantile bins:
  ``sum((a - e) * ln(a / e))``; rule of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 major shift.
Pure numpy, so it needs no SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: floor for empty bins, so PSI stays finite
PSI_EPSILON = 1e-4


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    ks: float
    ks_p_value: float
    psi: float
    baseline_count: int
    current_count: int


def ks_statistic(baseline: Sequence[float], current: Sequence[float]) -> float:
    """``max |F_baseline(x) - F_current(x)|`` over every observed x."""
    import numpy as np

    a = np.sort(np.asarray(baseline, dtype=float))
    b = np.sort(np.asarray(current, dtype=float))
    if a.size == 0 or b.size == 0:
        raise ValueError("the KS statistic needs at least one value in each sample")
    points = np.concatenate([a, b])
    gap = (
        np.searchsorted(a, points, side="right") / a.size - np.searchsorted(b, points, side="right") / b.size
    )
    return float(np.max(np.abs(gap)))


def ks_p_value(statistic: float, n: int, m: int, *, terms: int = 100) -> float:
    """Probability of a distance at least ``statistic`` if both samples came from one distribution."""
    effective = math.sqrt(n * m / (n + m))
    lam = (effective + 0.12 + 0.11 / effective) * statistic
    if lam < 1e-3:
        return 1.0
    total, sign = 0.0, 1.0
    for j in range(1, terms + 1):
        term = sign * 2 * math.exp(-2 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
        sign = -sign
    return min(max(total, 0.0), 1.0)


def psi(baseline: Sequence[float], current: Sequence[float], *, bins: int = 10) -> float:
    """Population stability index of ``current`` against ``baseline``'s quantile bins."""
    import numpy as np

    a = np.asarray(baseline, dtype=float)
    b = np.asarray(current, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError("PSI needs at least one value in each sample")
    edges = np.unique(np.quantile(a, np.linspace(0, 1, bins + 1)[1:-1]))
    expected = np.bincount(np.searchsorted(edges, a, side="right"), minlength=edges.size + 1) / a.size
    actual = np.bincount(np.searchsorted(edges, b, side="right"), minlength=edges.size + 1) / b.size
    expected = np.clip(expected, PSI_EPSILON, None)
    actual = np.clip(actual, PSI_EPSILON, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def feature_drift(feature: str, baseline: Sequence[float], current: Sequence[float]) -> FeatureDrift:
    distance = ks_statistic(baseline, current)
    return FeatureDrift(
        feature=feature,
        ks=distance,
        ks_p_value=ks_p_value(distance, len(baseline), len(current)),
        psi=psi(baseline, current),
        baseline_count=len(baseline),
        current_count=len(current),
    )
