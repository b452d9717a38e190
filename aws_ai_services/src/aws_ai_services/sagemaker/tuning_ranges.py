"""Hyperparameter ranges of a tuning job (integer, continuous, categorical) and how strategies sample them.

The classes are named like the SageMaker Python SDK's (``IntegerParameter``, ``ContinuousParameter``,
``CategoricalParameter``) and render the ``ParameterRanges`` of ``CreateHyperParameterTuningJob``.
``Random`` draws every trial's values up front from a seeded generator (``RandomSeed``), so a tuning job
is reproducible and its trials can run in parallel; ``Grid`` walks every combination of categorical values
(SageMaker's grid search accepts categorical ranges only).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aws_ai_services.sagemaker.aws_validation import aws_error, check_enum

ScalingType = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]
SCALING_TYPES = ("Auto", "Linear", "Logarithmic", "ReverseLogarithmic")
OPERATION = "CreateHyperParameterTuningJob"


@dataclass(frozen=True)
class IntegerParameter:
    min_value: int
    max_value: int
    scaling: ScalingType = "Auto"

    def check(self, name: str) -> None:
        _check_bounds(name, self.min_value, self.max_value, self.scaling)
        if self.scaling == "ReverseLogarithmic":
            raise aws_error(
                OPERATION, f"ReverseLogarithmic scaling is only valid for continuous ranges ({name})"
            )

    def sample(self, rng: random.Random) -> int:
        if self.scaling == "Logarithmic":
            return round(math.exp(rng.uniform(math.log(self.min_value), math.log(self.max_value))))
        return rng.randint(self.min_value, self.max_value)

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

    def check(self, name: str) -> None:
        _check_bounds(name, self.min_value, self.max_value, self.scaling)
        if self.scaling == "ReverseLogarithmic" and not (0 <= self.min_value and self.max_value < 1):
            raise aws_error(
                OPERATION, f"ReverseLogarithmic scaling needs 0 <= MinValue and MaxValue < 1 ({name})"
            )

    def sample(self, rng: random.Random) -> float:
        low, high = self.min_value, self.max_value
        if self.scaling == "Logarithmic":
            return math.exp(rng.uniform(math.log(low), math.log(high)))
        if self.scaling == "ReverseLogarithmic":
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

    def check(self, name: str) -> None:
        if not self.values:
            raise aws_error(OPERATION, f"categorical range {name!r} has no values; give at least one")

    def sample(self, rng: random.Random) -> str | int | float:
        return rng.choice(list(self.values))

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
        parameter.check(name)
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
    """Every combination of the categorical values (the ``Grid`` strategy), in a stable order."""
    not_categorical = sorted(n for n, p in ranges.items() if not isinstance(p, CategoricalParameter))
    if not_categorical:
        raise aws_error(
            OPERATION,
            f"The Grid strategy only supports categorical parameter ranges; {', '.join(not_categorical)} "
            "are not. List their values with CategoricalParameter, or use the Random strategy.",
        )
    names = sorted(ranges)
    values = [list(ranges[name].values) for name in names]  # type: ignore[union-attr]
    return [dict(zip(names, combination, strict=True)) for combination in itertools.product(*values)]


def _check_bounds(name: str, low: float, high: float, scaling: str) -> None:
    check_enum(OPERATION, scaling, "hyperParameterTuningJobConfig.parameterRanges.scalingType", SCALING_TYPES)
    if low > high:
        raise aws_error(
            OPERATION, f"MinValue {low} is greater than MaxValue {high} for hyperparameter {name}"
        )
    if scaling == "Logarithmic" and low <= 0:
        raise aws_error(OPERATION, f"Logarithmic scaling needs MinValue > 0 for hyperparameter {name}")
