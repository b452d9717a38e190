"""Model Monitor's baseline files from a data set: ``statistics.json`` and ``constraints.json``.

Shapes follow SageMaker Model Monitor's data-quality baseline: per feature (``_c0``, ``_c1``... without a
header) the inferred type, ``num_present`` / ``num_missing``, mean, sum, std_dev, min, max and a
``kll`` distribution (10 equal-width buckets plus the sketch). The sketch holds every value up to
``k`` = 2048 values (a KLL sketch of that size is exact), else ``k`` evenly spaced quantiles; drift is
measured against it. Constraints: completeness, non-negativity, and the distribution comparison settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

SKETCH_K = 2048
HISTOGRAM_BUCKETS = 10
DEFAULT_DRIFT_THRESHOLD = 0.1


def feature_names(count: int, header: Sequence[str] | None = None) -> list[str]:
    return list(header) if header else [f"_c{i}" for i in range(count)]


def column_values(
    rows: Sequence[Sequence[str]], count: int
) -> tuple[list[list[float]], list[int], list[int]]:
    """``(numeric values per column, missing per column, non-numeric per column)`` of CSV fields."""
    values: list[list[float]] = [[] for _ in range(count)]
    missing = [0] * count
    wrong_type = [0] * count
    for row in rows:
        for index in range(count):
            field = row[index].strip() if index < len(row) else ""
            if not field:
                missing[index] += 1
                continue
            try:
                number = float(field)
            except ValueError:
                wrong_type[index] += 1
                continue
            if math.isfinite(number):
                values[index].append(number)
            else:
                wrong_type[index] += 1
    return values, missing, wrong_type


def statistics(rows: Sequence[Sequence[str]], names: Sequence[str]) -> dict[str, Any]:
    """``statistics.json`` for CSV rows (fields as text) with the given feature names."""
    values, missing, _ = column_values(rows, len(names))
    return {
        "version": 0.0,
        "dataset": {"item_count": len(rows)},
        "features": [
            _feature(name, column, missing[i])
            for i, (name, column) in enumerate(zip(names, values, strict=True))
        ],
    }


def constraints(
    stats: Mapping[str, Any], *, drift_threshold: float = DEFAULT_DRIFT_THRESHOLD
) -> dict[str, Any]:
    """``constraints.json`` suggested from ``statistics.json`` (what the baselining job writes)."""
    features = []
    for feature in stats["features"]:
        numbers = feature["numerical_statistics"]
        common = numbers["common"]
        total = common["num_present"] + common["num_missing"]
        features.append(
            {
                "name": feature["name"],
                "inferred_type": feature["inferred_type"],
                "completeness": common["num_present"] / total if total else 1.0,
                "num_constraints": {"is_non_negative": numbers["min"] >= 0},
            }
        )
    return {
        "version": 0.0,
        "features": features,
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "datatype_check_threshold": 1.0,
            "domain_content_threshold": 1.0,
            "distribution_constraints": {
                "perform_comparison": "Enabled",
                "comparison_threshold": drift_threshold,
                "comparison_method": "Robust",
            },
        },
    }


def sketch_values(feature: Mapping[str, Any]) -> list[float]:
    """The baseline values kept in a feature's KLL sketch."""
    data = feature["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"]
    return [float(v) for level in data for v in level]


def _feature(name: str, column: list[float], missing: int) -> dict[str, Any]:
    import numpy as np

    array = np.asarray(column, dtype=float)
    present = int(array.size)
    integral = present > 0 and bool(np.all(np.mod(array, 1) == 0))
    numbers: dict[str, Any] = {
        "common": {"num_present": present, "num_missing": missing},
        "mean": float(array.mean()) if present else 0.0,
        "sum": float(array.sum()) if present else 0.0,
        "std_dev": float(array.std()) if present else 0.0,
        "min": float(array.min()) if present else 0.0,
        "max": float(array.max()) if present else 0.0,
        "distribution": {"kll": {"buckets": _buckets(array), "sketch": _sketch(array)}},
    }
    return {
        "name": name,
        "inferred_type": "Integral" if integral else "Fractional",
        "numerical_statistics": numbers,
    }


def _buckets(array: Any) -> list[dict[str, float]]:
    import numpy as np

    if array.size == 0:
        return []
    counts, edges = np.histogram(array, bins=HISTOGRAM_BUCKETS)
    return [
        {"lower_bound": float(edges[i]), "upper_bound": float(edges[i + 1]), "count": float(counts[i])}
        for i in range(len(counts))
    ]


def _sketch(array: Any) -> dict[str, Any]:
    import numpy as np

    ordered = np.sort(array)
    if ordered.size > SKETCH_K:
        ordered = np.quantile(ordered, np.linspace(0, 1, SKETCH_K))
    return {"parameters": {"c": 0.64, "k": float(SKETCH_K)}, "data": [ordered.tolist()]}
