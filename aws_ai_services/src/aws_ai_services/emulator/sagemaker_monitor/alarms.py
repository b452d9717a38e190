"""CloudWatch's part after a monitoring execution publishes drift metrics: its alarms on them evaluated.

moto stores alarms but never evaluates them; the local cloud evaluates the alarms on the metrics an
execution just published (same namespace, metric name and dimensions), with CloudWatch's reason text.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping
from datetime import datetime
from typing import Any

_COMPARISONS = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


def evaluate_alarms(
    backend: Any,
    namespace: str,
    dimensions: list[dict[str, str]],
    values: Mapping[str, float],
    when: datetime,
) -> dict[str, str]:
    """Set the state of every alarm on ``values`` (metric name -> latest value); returns name -> state."""
    wanted = {(d["Name"], d["Value"]) for d in dimensions}
    states: dict[str, str] = {}
    for alarm in list(backend.alarms.values()):
        value = values.get(alarm.metric_name)
        if alarm.namespace != namespace or value is None:
            continue
        if {(d.name, d.value) for d in alarm.dimensions} != wanted:
            continue
        compare, words = _COMPARISONS.get(alarm.comparison_operator, _COMPARISONS["GreaterThanThreshold"])
        threshold = float(alarm.threshold)
        breaching = compare(value, threshold)
        state = "ALARM" if breaching else "OK"
        reason = (
            f"Threshold Crossed: 1 datapoint [{value:.4f} ({when:%d/%m/%y %H:%M:%S})] was "
            f"{'' if breaching else 'not '}{words} the threshold ({threshold:g})."
        )
        data = {
            "version": "1.0",
            "queryDate": when.isoformat(),
            "recentDatapoints": [value],
            "threshold": threshold,
        }
        backend.set_alarm_state(alarm.name, reason, json.dumps(data), state)
        states[alarm.name] = state
    return states
