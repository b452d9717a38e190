"""Hyperparameter ranges of a tuning job (integer, continuous, categorical) and how strategies sample them.

The classes are named like the SageMaker Python SDK's (``IntegerParameter``, ``ContinuousParameter``,
``CategoricalParameter``) and render the ``ParameterRanges`` of ``CreateHyperParameterTuningJob``.
``Random`` draws every trial's values up front from a seeded generator (``RandomSeed``), so a tuning job
is reproducible and its trials can run in parallel; ``Grid`` walks every combination of categorical values
(SageMaker's grid search accepts categorical ranges only). SageMaker checks the ranges (bounds, scaling,
grid) when the job is created, and so does the local cloud; sampling here never raises, so a range the
service will refuse still renders into the request that gets refused.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

ScalingType = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]


@dataclass(frozen=True)
class IntegerParameter:
    min_value: int
    max_value: int
    scaling: ScalingType = "Auto"

    def sample(self, rng: random.Random) -> int:
        low, high = sorted((self.min_value, self.max_value))
        if self.scaling == "Logarithmic" and low > 0:
            return round(math.exp(rng.uniform(math.log(low), math.log(high))))
        return rng.randint(low, high)

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

    def sample(self, rng: random.Random) -> float:
        low, high = sorted((self.min_value, self.max_value))
        if self.scaling == "Logarithmic" and low > 0:
            return math.exp(rng.uniform(math.log(low), math.log(high)))
        if self.scaling == "ReverseLogarithmic" and 0 <= low and high < 1:
            return 1 - math.exp(rng.uniform(math.log(1 - high), math.log(1 - low)))
        return rng.uniform(low, high)

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

    def sample(self, rng: random.Random) -> str | int | float:
        return rng.choice(list(self.values)) if self.values else ""

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


def random_configurations(ranges: Mapping[str, Parameter], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` independent draws (the ``Random`` strategy), reproducible for a given ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not cryptography
    return [{name: ranges[name].sample(rng) for name in sorted(ranges)} for _ in range(count)]


def grid_configurations(ranges: Mapping[str, Parameter]) -> list[dict[str, Any]]:
    """Every combination of the categorical values (the ``Grid`` strategy), in a stable order.

    SageMaker's grid takes categorical ranges only (it refuses the job otherwise); a numeric range counts
    here as its two bounds.
    """
    names = sorted(ranges)
    values = [_grid_values(ranges[name]) for name in names]
    return [dict(zip(names, combination, strict=True)) for combination in itertools.product(*values)]


def _grid_values(parameter: Parameter) -> list[Any]:
    if isinstance(parameter, CategoricalParameter):
        return list(parameter.values)
    return list(dict.fromkeys((parameter.min_value, parameter.max_value)))
