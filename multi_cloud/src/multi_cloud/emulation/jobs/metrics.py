"""Metrics from a training job's logs: the provider's metric regexes, or ``name=value`` lines."""

from __future__ import annotations

import re
from collections.abc import Mapping

#: "name=value" or "name: value" lines on stdout/stderr become metrics unless definitions are given
DEFAULT_METRIC_REGEX = re.compile(
    r"^\s*([A-Za-z_][\w:./-]*)\s*[=:]\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$"
)


def parse_metrics(logs: str, metric_regexes: Mapping[str, str] | None = None) -> dict[str, float]:
    """Last value of each metric in the logs (SageMaker's ``MetricDefinitions`` semantics)."""
    found: dict[str, float] = {}
    if metric_regexes:
        for name, pattern in metric_regexes.items():
            try:
                matches = re.findall(pattern, logs, flags=re.MULTILINE)
            except re.error:
                continue  # validated when the job is created; a bad pattern yields no metric
            for last in reversed(matches):
                value = last[0] if isinstance(last, tuple) else last
                try:
                    found[name] = float(value)
                    break
                except ValueError:
                    continue
        return found
    for line in logs.splitlines():
        match = DEFAULT_METRIC_REGEX.match(line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found
