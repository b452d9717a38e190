"""Spectral-residual anomaly detection (Anomaly Detector's method) on labelled synthetic series."""

from __future__ import annotations

import numpy as np
import pytest
from azure_ai_services.cognitive_services.decision_services import (
    detect_entire_series,
    detect_last_point,
    spectral_residual_scores,
)
from multi_cloud.core.errors import InvalidArgument


def labelled_series(seed: int, n: int = 720, spikes: int = 8) -> tuple[np.ndarray, set[int]]:
    """Hourly-like data: daily season, trend, noise, and ``spikes`` labelled anomalies of 15–30 units."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 100 + 20 * np.sin(2 * np.pi * t / 24) + 0.05 * t + rng.normal(0, 2, n)
    where = rng.choice(np.arange(30, n - 5), spikes, replace=False)
    values[where] += rng.choice([-1, 1], spikes) * rng.uniform(15, 30, spikes)
    return values, {int(i) for i in where}


def precision_recall(sensitivity: int, seeds: range = range(6)) -> tuple[float, float]:
    found_total = true_total = hits = 0
    for seed in seeds:
        values, truth = labelled_series(seed)
        found = {
            i
            for i, point in enumerate(detect_entire_series(values, sensitivity=sensitivity))
            if point.is_anomaly
        }
        hits += len(found & truth)
        found_total += len(found)
        true_total += len(truth)
    return hits / max(found_total, 1), hits / true_total


def test_batch_detection_precision_and_recall_at_the_default_sensitivity() -> None:
    precision, recall = precision_recall(95)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_sensitivity_trades_precision_for_recall() -> None:
    low_precision, low_recall = precision_recall(80)
    high_precision, high_recall = precision_recall(99)
    assert low_recall < 0.8 <= low_precision, (low_precision, low_recall)
    assert high_recall == 1.0 and high_precision < 0.6, (high_precision, high_recall)


def test_spikes_score_far_above_normal_points() -> None:
    values, truth = labelled_series(11)
    scores = spectral_residual_scores(values)
    normal = np.delete(scores, sorted(truth))
    assert min(scores[sorted(truth)]) > np.percentile(normal, 99)


def test_expected_values_margins_and_direction() -> None:
    values, truth = labelled_series(3)
    results = detect_entire_series(values)
    for i in truth:
        point = results[i]
        if point.is_anomaly:
            assert abs(point.value - point.expected_value) > point.upper_margin
            assert (
                point.is_positive_anomaly == (point.value > point.expected_value) != point.is_negative_anomaly
            )
    clean = [p for i, p in enumerate(results) if i not in truth]
    inside = sum(abs(p.value - p.expected_value) <= p.upper_margin for p in clean) / len(clean)
    assert inside > 0.95
    wider = detect_entire_series(values, sensitivity=50)[0].upper_margin
    assert wider > results[0].upper_margin


def test_max_anomaly_ratio_caps_the_flags() -> None:
    values, _ = labelled_series(5, spikes=40)
    flagged = sum(p.is_anomaly for p in detect_entire_series(values, sensitivity=99, max_anomaly_ratio=0.01))
    assert flagged == 7


def test_last_point_detection() -> None:
    values, _ = labelled_series(21, n=400, spikes=0)
    alarms = sum(detect_last_point(values[: k + 1]).is_anomaly for k in range(60, 400, 5))
    assert alarms <= 1
    caught = 0
    for k in range(60, 400, 5):
        spiked = np.r_[values[:k], values[k] + (25 if k % 2 else -25)]
        result = detect_last_point(spiked)
        caught += result.is_anomaly
        assert not result.is_anomaly or result.is_positive_anomaly == bool(k % 2)
    assert caught >= 0.95 * len(range(60, 400, 5))


@pytest.mark.parametrize(
    ("values", "options", "fix"),
    [
        ([1.0] * 5, {}, "12 to 8640 points"),
        ([1.0] * 20 + [float("nan")], {}, "NaN"),
        ([1.0] * 20, {"sensitivity": 100}, "between 0 and 99"),
    ],
)
def test_bad_input_names_the_problem(values: list[float], options: dict[str, int], fix: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        detect_entire_series(values, **options)
    assert fix in str(raised.value)
