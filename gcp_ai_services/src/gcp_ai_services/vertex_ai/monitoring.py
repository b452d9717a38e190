"""Drift and skew as Vertex AI Model Monitoring measures them: a training baseline against logged requests.

Vertex compares each feature's distribution in serving traffic with a baseline (the training data for skew,
an earlier window for drift): numerical features by Jensen-Shannon divergence, categorical ones by
L-infinity distance, alerting above a threshold (0.3 by default). The serving traffic is what the endpoint's
request-response logging recorded: rows with ``request_payload`` (a BigQuery table in a real account; JSON
Lines objects in Cloud Storage in the local cloud, read by :func:`read_request_log`).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import storage_client

DEFAULT_THRESHOLD = 0.3
DEFAULT_BINS = 20


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    metric: str
    distance: float
    threshold: float

    @property
    def alert(self) -> bool:
        return self.distance > self.threshold


def jensen_shannon(baseline: Sequence[float], current: Sequence[float], bins: int = DEFAULT_BINS) -> float:
    """Jensen-Shannon divergence (base 2, 0 to 1) of two samples histogrammed on the same bins."""
    import numpy as np

    if not baseline or not current:
        raise InvalidArgument("both samples need at least one value to compare distributions")
    low = float(min(min(baseline), min(current)))
    high = float(max(max(baseline), max(current)))
    edges = np.linspace(low, high if high > low else low + 1.0, bins + 1)
    p = np.histogram(np.asarray(baseline, dtype=float), bins=edges)[0].astype(float)
    q = np.histogram(np.asarray(current, dtype=float), bins=edges)[0].astype(float)
    return _js(p / p.sum(), q / q.sum())


def l_infinity(baseline: Iterable[Any], current: Iterable[Any]) -> float:
    """The largest difference between the two samples' category frequencies (0 to 1)."""
    p, q = Counter(map(str, baseline)), Counter(map(str, current))
    if not p or not q:
        raise InvalidArgument("both samples need at least one value to compare distributions")
    p_total, q_total = sum(p.values()), sum(q.values())
    return max(abs(p[k] / p_total - q[k] / q_total) for k in set(p) | set(q))


def detect_drift(
    baseline: Sequence[Sequence[Any]],
    current: Sequence[Sequence[Any]],
    features: Sequence[str],
    *,
    categorical: Iterable[str] = (),
    thresholds: Mapping[str, float] | None = None,
    default_threshold: float = DEFAULT_THRESHOLD,
) -> list[FeatureDrift]:
    """One :class:`FeatureDrift` per feature (columns of the rows, in ``features`` order)."""
    wanted = set(categorical)
    results = []
    for column, feature in enumerate(features):
        before = [row[column] for row in baseline]
        after = [row[column] for row in current]
        if feature in wanted:
            metric, distance = "l_infinity", l_infinity(before, after)
        else:
            metric, distance = (
                "jensen_shannon",
                jensen_shannon([float(v) for v in before], [float(v) for v in after]),
            )
        threshold = (thresholds or {}).get(feature, default_threshold)
        results.append(FeatureDrift(feature, metric, round(distance, 6), threshold))
    return results


def instances_from_log_rows(rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Every instance of every logged request (the ``request_payload`` column holds JSON request bodies)."""
    instances: list[Any] = []
    for row in rows:
        for payload in row.get("request_payload") or []:
            instances += list(json.loads(payload).get("instances") or [])
    return instances


def read_request_log(bucket: str, prefix: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """The logged rows stored as JSON Lines under ``gs://bucket/prefix`` (the local cloud's logging table)."""
    client = storage_client(settings)
    rows: list[dict[str, Any]] = []
    with google_errors("vertex.read_request_log"):
        for blob in client.list_blobs(bucket, prefix=prefix):
            rows += [json.loads(line) for line in blob.download_as_text().splitlines() if line.strip()]
    return sorted(rows, key=lambda row: str(row.get("logging_time", "")))


def _js(p: Any, q: Any) -> float:
    middle = (p + q) / 2

    def kl(a: Any, b: Any) -> float:
        return float(sum(x * math.log2(x / y) for x, y in zip(a, b, strict=True) if x > 0))

    return kl(p, middle) / 2 + kl(q, middle) / 2
