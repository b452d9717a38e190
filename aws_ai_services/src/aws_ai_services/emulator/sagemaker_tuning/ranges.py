"""A tuning job's ``ParameterRanges``, checked as SageMaker checks them, and the points a search draws.

Each range maps to ``[0, 1]`` (its scaling applied: ``Logarithmic`` spaces decades evenly,
``ReverseLogarithmic`` the distances to 1) so that the searches (random, Bayesian) work in one space;
a point maps back to the string values SageMaker passes to the training job.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class RangeError(ValueError):
    """A request SageMaker refuses with ``ValidationException``."""


@dataclass(frozen=True)
class Range:
    name: str
    kind: str  # "Integer" | "Continuous" | "Categorical"
    low: float = 0.0
    high: float = 0.0
    scaling: str = "Auto"
    values: tuple[str, ...] = ()

    def check(self) -> None:
        if self.kind == "Categorical":
            if not self.values:
                raise RangeError(f"categorical range {self.name!r} has no values; give at least one")
            return
        if self.low > self.high:
            raise RangeError(
                f"MinValue {self.low:g} is greater than MaxValue {self.high:g} for hyperparameter {self.name}"
            )
        if self.scaling == "Logarithmic" and self.low <= 0:
            raise RangeError(f"Logarithmic scaling needs MinValue > 0 for hyperparameter {self.name}")
        if self.scaling == "ReverseLogarithmic":
            if self.kind == "Integer":
                raise RangeError(
                    f"ReverseLogarithmic scaling is only valid for continuous ranges ({self.name})"
                )
            if not (0 <= self.low and self.high < 1):
                raise RangeError(
                    f"ReverseLogarithmic scaling needs 0 <= MinValue and MaxValue < 1 ({self.name})"
                )

    def to_unit(self, value: str) -> list[float]:
        """The value in ``[0, 1]`` (one coordinate; a categorical one-hot over its values)."""
        if self.kind == "Categorical":
            return [1.0 if value == v else 0.0 for v in self.values]
        low, high, x = self.low, self.high, float(value)
        if high == low:
            return [0.0]
        if self.scaling == "Logarithmic":
            return [(math.log(x) - math.log(low)) / (math.log(high) - math.log(low))]
        if self.scaling == "ReverseLogarithmic":
            return [(math.log(1 - x) - math.log(1 - low)) / (math.log(1 - high) - math.log(1 - low))]
        return [(x - low) / (high - low)]

    def from_unit(self, coordinates: Sequence[float]) -> str:
        if self.kind == "Categorical":
            return self.values[max(range(len(self.values)), key=lambda i: coordinates[i])]
        u = min(max(coordinates[0], 0.0), 1.0)
        low, high = self.low, self.high
        if self.scaling == "Logarithmic":
            x = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        elif self.scaling == "ReverseLogarithmic":
            x = 1 - math.exp(math.log(1 - low) + u * (math.log(1 - high) - math.log(1 - low)))
        else:
            x = low + u * (high - low)
        if self.kind == "Integer":
            return str(min(max(round(x), int(low)), int(high)))
        return repr(x)

    @property
    def width(self) -> int:
        return len(self.values) if self.kind == "Categorical" else 1

    def draw(self, rng: random.Random) -> str:
        if self.kind == "Categorical":
            return rng.choice(self.values)
        return self.from_unit([rng.random()])


def parse_ranges(parameter_ranges: Mapping[str, Any]) -> list[Range]:
    """The request's ranges, in request order (integer, continuous, categorical), each checked."""
    found: list[Range] = []
    for kind in ("Integer", "Continuous", "Categorical"):
        for item in parameter_ranges.get(f"{kind}ParameterRanges") or []:
            if kind == "Categorical":
                found.append(
                    Range(item["Name"], kind, values=tuple(str(v) for v in item.get("Values") or []))
                )
                continue
            try:
                low, high = float(item["MinValue"]), float(item["MaxValue"])
            except (KeyError, ValueError) as exc:
                raise RangeError(f"range {item.get('Name')!r} needs numeric MinValue and MaxValue") from exc
            found.append(Range(item["Name"], kind, low, high, item.get("ScalingType", "Auto")))
    for parameter in found:
        parameter.check()
    if not found:
        raise RangeError("ParameterRanges is empty: give at least one range to tune")
    return found


def grid_points(ranges: Sequence[Range]) -> list[dict[str, str]]:
    """Every combination of the categorical values (the ``Grid`` strategy), in a stable order."""
    not_categorical = sorted(r.name for r in ranges if r.kind != "Categorical")
    if not_categorical:
        raise RangeError(
            f"The Grid strategy only supports categorical parameter ranges; {', '.join(not_categorical)} are "
            "not. List their values as a categorical range, or use the Random strategy."
        )
    names = [r.name for r in ranges]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(r.values for r in ranges))]


def random_points(ranges: Sequence[Range], count: int, seed: int) -> list[dict[str, str]]:
    """``count`` independent draws (the ``Random`` strategy), reproducible for a given ``RandomSeed``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not cryptography
    return [{r.name: r.draw(rng) for r in ranges} for _ in range(count)]
