"""Check captured traffic against a baseline: Model Monitor's constraint checks plus drift per feature.

Check types, as in ``constraint_violations.json``: ``missing_column_check`` / ``extra_column_check``
(rows with fewer / more columns than the baseline), ``data_type_check`` (share of values of the baseline
type below ``datatype_check_threshold``), ``completeness_check`` (share of present values below the
baseline's completeness) and ``baseline_drift_check`` (KS distance above ``comparison_threshold``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_ai_services.emulator.sagemaker_monitor.baseline import column_values, sketch_values, statistics
from aws_ai_services.emulator.sagemaker_monitor.drift import FeatureDrift, feature_drift


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[dict[str, str], ...]
    drift: tuple[FeatureDrift, ...]
    statistics: dict[str, Any]  # statistics.json of the analysed traffic


def check_traffic(
    baseline_statistics: Mapping[str, Any],
    baseline_constraints: Mapping[str, Any],
    rows: Sequence[Sequence[str]],
) -> CheckResult:
    features = baseline_statistics["features"]
    names = [f["name"] for f in features]
    config = baseline_constraints.get("monitoring_config", {})
    distribution = config.get("distribution_constraints", {})
    threshold = float(distribution.get("comparison_threshold", 0.1))
    compare = distribution.get("perform_comparison", "Enabled") == "Enabled"
    type_threshold = float(config.get("datatype_check_threshold", 1.0))
    completeness = {
        c["name"]: float(c.get("completeness", 1.0)) for c in baseline_constraints.get("features", [])
    }

    violations: list[dict[str, str]] = []
    widths = {len(row) for row in rows}
    if rows and min(widths) < len(names):
        violations.append(
            _violation(
                "",
                "missing_column_check",
                f"Some rows have {min(widths)} columns; the baseline has {len(names)}.",
            )
        )
    if rows and max(widths) > len(names):
        violations.append(
            _violation(
                "",
                "extra_column_check",
                f"Some rows have {max(widths)} columns; the baseline has {len(names)}.",
            )
        )
    values, missing, wrong_type = column_values(rows, len(names))
    drift: list[FeatureDrift] = []
    for index, feature in enumerate(features):
        name, total = feature["name"], len(rows)
        present = total - missing[index]
        if present and (present - wrong_type[index]) / present < type_threshold:
            share = (present - wrong_type[index]) / present
            violations.append(
                _violation(
                    name,
                    "data_type_check",
                    "Data type match requirement is not met. Expected data type: "
                    f"{feature['inferred_type']}, Expected match: {type_threshold:.1%}. "
                    f"Observed: Only {share:.1%} of data is numeric.",
                )
            )
        if total and present / total < completeness.get(name, 1.0):
            violations.append(
                _violation(
                    name,
                    "completeness_check",
                    f"Data completeness requirement is not met. Expected: {completeness.get(name, 1.0):.1%}, "
                    f"Observed: Only {present / total:.1%} of data is present.",
                )
            )
        baseline_sample = sketch_values(feature)
        if values[index] and baseline_sample:
            result = feature_drift(name, baseline_sample, values[index])
            drift.append(result)
            if compare and result.ks > threshold:
                violations.append(
                    _violation(
                        name,
                        "baseline_drift_check",
                        f"Baseline drift distance: {result.ks:.4f} exceeds threshold: {threshold:g}",
                    )
                )
    return CheckResult(tuple(violations), tuple(drift), statistics(rows, names))


def _violation(feature: str, check: str, description: str) -> dict[str, str]:
    return {"feature_name": feature, "constraint_check_type": check, "description": description}
