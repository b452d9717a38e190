"""Model evaluation metrics in Vertex AI's schemas (``classification_metrics``, ``regression_metrics``),
computed with scikit-learn on the test split the model never saw.

Classification AUCs are micro-averaged over (item, class) pairs, as Vertex reports one number for a
multi-class model; ``confidenceMetrics`` sweep thresholds 0.00…1.00 (step 0.05) and add the top-1 figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SCHEMA = "gs://google-cloud-aiplatform/schema/modelevaluation/"
CLASSIFICATION_SCHEMA = SCHEMA + "classification_metrics_1.0.0.yaml"
REGRESSION_SCHEMA = SCHEMA + "regression_metrics_1.0.0.yaml"


def classification_metrics(
    truth: Sequence[str], scores: Any, classes: Sequence[str], spec_ids: dict[str, str]
) -> dict[str, Any]:
    """``auPrc``, ``auRoc``, ``logLoss``, ``confidenceMetrics`` and ``confusionMatrix`` of ``scores``."""
    import numpy as np
    from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

    scores = np.asarray(scores, dtype=float)
    scores = scores / np.clip(scores.sum(axis=1, keepdims=True), 1e-12, None)
    index = {c: i for i, c in enumerate(classes)}
    onehot = np.zeros_like(scores)
    for row, label in enumerate(truth):
        onehot[row, index[str(label)]] = 1.0
    flat_truth, flat_scores = onehot.ravel(), scores.ravel()
    both = 0 < flat_truth.sum() < len(flat_truth)
    metrics: dict[str, Any] = {
        "auPrc": float(average_precision_score(flat_truth, flat_scores)) if both else 0.0,
        "auRoc": float(roc_auc_score(flat_truth, flat_scores)) if both else 0.0,
        "logLoss": float(log_loss([index[str(t)] for t in truth], scores, labels=list(range(len(classes))))),
    }
    metrics["confidenceMetrics"] = [_at_threshold(onehot, scores, t / 20) for t in range(21)]
    predicted = scores.argmax(axis=1)
    rows = np.zeros((len(classes), len(classes)))
    for actual, guess in zip((index[str(t)] for t in truth), predicted, strict=True):
        rows[actual, guess] += 1
    metrics["confusionMatrix"] = {
        "annotationSpecs": [{"id": spec_ids.get(c, str(i)), "displayName": c} for i, c in enumerate(classes)],
        "rows": rows.tolist(),
    }
    return metrics


def _at_threshold(onehot: Any, scores: Any, threshold: float) -> dict[str, Any]:
    import numpy as np

    figures = _figures(onehot, scores >= threshold)
    top = np.zeros_like(scores, dtype=bool)
    top[np.arange(len(scores)), scores.argmax(axis=1)] = True
    at1 = _figures(onehot, top & (scores >= threshold))
    return {
        "confidenceThreshold": round(threshold, 2),
        **figures,
        **{f"{k}At1": v for k, v in at1.items() if not k.endswith("Count")},
    }


def _figures(onehot: Any, chosen: Any) -> dict[str, Any]:
    actual = onehot.astype(bool)
    tp = int((chosen & actual).sum())
    fp = int((chosen & ~actual).sum())
    fn = int((~chosen & actual).sum())
    tn = int((~chosen & ~actual).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "recall": recall,
        "precision": precision,
        "falsePositiveRate": fp / (fp + tn) if fp + tn else 0.0,
        "f1Score": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "truePositiveCount": str(tp),
        "falsePositiveCount": str(fp),
        "falseNegativeCount": str(fn),
        "trueNegativeCount": str(tn),
    }


def regression_metrics(truth: Sequence[float], predicted: Sequence[float]) -> dict[str, Any]:
    """``rootMeanSquaredError``, ``meanAbsoluteError``, ``meanAbsolutePercentageError``, ``rSquared`` and,
    when nothing is negative, ``rootMeanSquaredLogError``."""
    import numpy as np
    from sklearn.metrics import mean_absolute_error, mean_squared_error, mean_squared_log_error, r2_score

    actual, guess = np.asarray(truth, dtype=float), np.asarray(predicted, dtype=float)
    nonzero = actual != 0
    metrics = {
        "rootMeanSquaredError": float(np.sqrt(mean_squared_error(actual, guess))),
        "meanAbsoluteError": float(mean_absolute_error(actual, guess)),
        "meanAbsolutePercentageError": float(
            np.mean(np.abs((actual[nonzero] - guess[nonzero]) / actual[nonzero])) * 100
            if nonzero.any()
            else 0.0
        ),
        "rSquared": float(r2_score(actual, guess)),
    }
    if (actual >= 0).all() and (guess >= 0).all():
        metrics["rootMeanSquaredLogError"] = float(np.sqrt(mean_squared_log_error(actual, guess)))
    return metrics
