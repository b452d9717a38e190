"""Data drift between a model's training data and the requests its online deployment logged.

With a data collector on the deployment (``AzureMLDeployer.deploy(..., collect_requests=True)``) each
request's inputs land in the workspace's default datastore under ``modelDataCollector/{endpoint}/
{deployment}/model_inputs/``. :func:`collected_rows` reads them back, :func:`feature_drift` compares each
feature's distribution with the training data (two-sample Kolmogorov-Smirnov test and the population
stability index). What this computes is what Azure ML's model monitoring computes for its data drift
signal; Azure adds the rest: monitors on a schedule (``ml_client.schedules`` with ``MonitorSchedule``),
prediction drift, data quality and feature attribution drift signals, thresholds, and alert e-mails.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Rows = Sequence[Sequence[float]]
#: PSI above this is usually read as a significant shift
PSI_ALERT = 0.2
P_VALUE_ALERT = 0.05


@dataclass(frozen=True)
class FeatureDrift:
    """One feature: KS statistic and p-value, PSI, and whether either crosses its alert threshold."""

    feature: str
    ks_statistic: float
    p_value: float
    psi: float

    @property
    def drifted(self) -> bool:
        return self.p_value < P_VALUE_ALERT or self.psi > PSI_ALERT


def collector_uri(endpoint: str, deployment: str, kind: str = "model_inputs") -> str:
    return f"azureml://datastores/workspaceblobstore/paths/modelDataCollector/{endpoint}/{deployment}/{kind}/"


def collected_rows(ml_client: Any, endpoint: str, deployment: str) -> list[list[float]]:
    """Every feature row the deployment's data collector logged (requests as ``{"data": [[...], ...]}``)."""
    from azure.ai.ml._artifacts._artifact_utilities import download_artifact_from_aml_uri

    rows: list[list[float]] = []
    with tempfile.TemporaryDirectory(prefix="cloudai-collected-") as folder:
        download_artifact_from_aml_uri(collector_uri(endpoint, deployment), folder, ml_client.datastores)
        for path in sorted(Path(folder).rglob("*.jsonl")):
            for line in path.read_text().splitlines():
                if line.strip():
                    rows.extend(_request_rows(json.loads(line).get("data")))
    return rows


def _request_rows(data: Any) -> list[list[float]]:
    if isinstance(data, dict):
        data = data.get("data", data.get("input_data"))
        if isinstance(data, dict):
            data = data.get("data")
    if not isinstance(data, list):
        return []
    return [[float(value) for value in row] for row in data if isinstance(row, list)]


def population_stability_index(expected: Sequence[float], actual: Sequence[float], bins: int = 10) -> float:
    """PSI over the training data's quantile bins: sum((a - e) * ln(a / e))."""
    import numpy as np

    edges = np.unique(np.quantile(np.asarray(expected, dtype=float), np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0
    edges[0], edges[-1] = -np.inf, np.inf
    e = np.histogram(expected, edges)[0] / max(len(expected), 1)
    a = np.histogram(actual, edges)[0] / max(len(actual), 1)
    e, a = np.clip(e, 1e-6, None), np.clip(a, 1e-6, None)
    return float(np.sum((a - e) * np.log(a / e)))


def feature_drift(training: Rows, requests: Rows, names: Sequence[str] | None = None) -> list[FeatureDrift]:
    """Per feature, how far the requests' distribution is from the training data's."""
    import numpy as np
    from scipy.stats import ks_2samp

    if len(training) == 0 or len(requests) == 0:
        raise ValueError("drift needs training rows and logged request rows (is the data collector on?)")
    base, live = np.asarray(training, dtype=float), np.asarray(requests, dtype=float)
    if base.shape[1] != live.shape[1]:
        raise ValueError(f"training rows have {base.shape[1]} features, requests {live.shape[1]}")
    labels = list(names or [f"feature_{i}" for i in range(base.shape[1])])
    found = []
    for index, label in enumerate(labels):
        test = ks_2samp(base[:, index], live[:, index])
        psi = population_stability_index(base[:, index].tolist(), live[:, index].tolist())
        found.append(FeatureDrift(label, float(test.statistic), float(test.pvalue), psi))
    return found
