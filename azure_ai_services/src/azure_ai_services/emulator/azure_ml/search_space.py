"""Sweep search spaces as the REST API sends them (``{"C": ["choice", [[0.1, 1]]]}``): grid and random."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

Trial = dict[str, Any]


def _expression(name: str, spec: Any) -> tuple[str, list[Any]]:
    if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], list)):
        raise AzureError(400, "UserError", f'searchSpace.{name} must be ["<distribution>", [<arguments>]].')
    return str(spec[0]).lower(), spec[1]


def _draw(name: str, spec: Any, rng: random.Random) -> Any:
    kind, args = _expression(name, spec)
    try:
        if kind == "choice":
            return rng.choice(args[0])
        if kind == "randint":
            return rng.randrange(int(args[0]))
        if kind in ("uniform", "quniform"):
            value = rng.uniform(float(args[0]), float(args[1]))
        elif kind in ("loguniform", "qloguniform"):
            value = math.exp(rng.uniform(float(args[0]), float(args[1])))
        elif kind in ("normal", "qnormal"):
            value = rng.gauss(float(args[0]), float(args[1]))
        elif kind in ("lognormal", "qlognormal"):
            value = math.exp(rng.gauss(float(args[0]), float(args[1])))
        else:
            raise AzureError(400, "UserError", f"searchSpace.{name}: unknown distribution '{kind}'.")
    except (IndexError, TypeError, ValueError) as exc:
        raise AzureError(
            400, "UserError", f"searchSpace.{name}: bad arguments {args} for {kind}: {exc}"
        ) from exc
    if kind.startswith("q"):
        q = float(args[-1])
        return round(value / q) * q
    return value


def trials(search_space: dict[str, Any], algorithm: dict[str, Any], max_trials: int) -> Iterator[Trial]:
    """The hyperparameters of each trial, in order, at most ``max_trials``."""
    if not search_space:
        raise AzureError(400, "UserError", "A sweep job needs a searchSpace with at least one parameter.")
    kind = str(algorithm.get("samplingAlgorithmType") or "Random").lower()
    if kind == "grid":
        values = []
        for name, spec in search_space.items():
            distribution, args = _expression(name, spec)
            if distribution != "choice":
                raise AzureError(
                    400,
                    "UserError",
                    f"Grid sampling supports only choice parameters; '{name}' is {distribution}. "
                    "Use sampling_algorithm='random', or Choice values.",
                )
            values.append([(name, value) for value in args[0]])
        yield from itertools.islice(
            (dict(combination) for combination in itertools.product(*values)), max_trials
        )
        return
    if kind != "random":
        raise AzureError(
            501,
            "NotImplemented",
            f"the local emulator samples sweeps with 'random' or 'grid', not '{kind}' (Bayesian sampling "
            "needs Azure's HyperDrive service).",
        )
    seed = algorithm.get("seed")
    rng = random.Random(int(seed) if seed is not None else None)  # noqa: S311 - sampling, not secrets
    for _ in range(max_trials):
        yield {name: _draw(name, spec, rng) for name, spec in search_space.items()}
