"""Hyperparameter ranges of a tuning job (integer, continuous, categorical), as the request renders them.

The classes are named like the SageMaker Python SDK's (``IntegerParameter``, ``ContinuousParameter``,
``CategoricalParameter``) and render the ``ParameterRanges`` of ``CreateHyperParameterTuningJob``.
SageMaker (locally: the local cloud) checks the ranges and draws the trials' values — ``Random`` from
``RandomSeed``, ``Grid`` every categorical combination, ``Bayesian`` from the results so far — so nothing
here checks or samples: a range the service will refuse renders into the request that gets refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ScalingType = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]


@dataclass(frozen=True)
class IntegerParameter:
    min_value: int
    max_value: int
    scaling: ScalingType = "Auto"

    def request(self, name: str) -> dict[str, str]:
        return {
            "Name": name,
            "MinValue": str(self.min_value),
            "MaxValue": str(self.max_value),
            "ScalingType": self.scaling,
        }


@dataclass(frozen=True)
class ContinuousParameter:
    min_value: float
    max_value: float
    scaling: ScalingType = "Auto"

    def request(self, name: str) -> dict[str, str]:
        return {
            "Name": name,
            "MinValue": repr(float(self.min_value)),
            "MaxValue": repr(float(self.max_value)),
            "ScalingType": self.scaling,
        }


@dataclass(frozen=True)
class CategoricalParameter:
    values: Sequence[str | int | float]

    def request(self, name: str) -> dict[str, Any]:
        return {"Name": name, "Values": [str(v) for v in self.values]}


Parameter = IntegerParameter | ContinuousParameter | CategoricalParameter


def parameter_ranges_request(ranges: Mapping[str, Parameter]) -> dict[str, list[dict[str, Any]]]:
    """The ``ParameterRanges`` member of ``HyperParameterTuningJobConfig``."""
    grouped: dict[str, list[dict[str, Any]]] = {
        "IntegerParameterRanges": [],
        "ContinuousParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    for name, parameter in ranges.items():
        kind = {
            IntegerParameter: "Integer",
            ContinuousParameter: "Continuous",
            CategoricalParameter: "Categorical",
        }
        grouped[f"{kind[type(parameter)]}ParameterRanges"].append(parameter.request(name))
    return grouped
