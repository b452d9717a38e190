"""The ``Bayesian`` strategy: a Gaussian-process model of the objective, next point by expected improvement.

SageMaker's own optimizer is not public; this is the textbook method it is built on. The first points are
random (``RandomSeed``); each later one maximises expected improvement over a few thousand random
candidates, with the model fitted to every trial that reported the objective so far.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence

from aws_ai_services.emulator.sagemaker_tuning.ranges import Range, random_points

INITIAL_RANDOM = 3
CANDIDATES = 2000


def encode(ranges: Sequence[Range], point: dict[str, str]) -> list[float]:
    return [x for r in ranges for x in r.to_unit(point[r.name])]


def decode(ranges: Sequence[Range], vector: Sequence[float]) -> dict[str, str]:
    point, start = {}, 0
    for r in ranges:
        point[r.name] = r.from_unit(vector[start : start + r.width])
        start += r.width
    return point


def next_point(
    ranges: Sequence[Range],
    history: Sequence[tuple[dict[str, str], float]],
    *,
    maximize: bool,
    seed: int,
    tried: int,
) -> dict[str, str]:
    """The next configuration to try, given ``(configuration, objective)`` pairs seen so far."""
    if len(history) < INITIAL_RANDOM:
        return random_points(ranges, tried + 1, seed)[-1]
    import numpy as np
    from scipy.stats import norm
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    x = np.array([encode(ranges, point) for point, _ in history])
    y = np.array([value if maximize else -value for _, value in history])
    kernel = ConstantKernel(1.0) * Matern(length_scale=0.3, nu=2.5) + WhiteKernel(1e-4)
    # A noiseless objective drives the noise level to its lower bound: normal here, and the ConvergenceWarning
    # would otherwise reach whoever runs the local cloud in-process (a notebook's output).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=seed).fit(x, y)
    rng = random.Random(seed * 7919 + tried)  # noqa: S311 - reproducible search, not cryptography
    candidates = [encode(ranges, p) for p in random_points(ranges, CANDIDATES, rng.randrange(2**31))]
    mean, std = model.predict(np.array(candidates), return_std=True)
    best = y.max()
    std = np.maximum(std, 1e-9)
    z = (mean - best) / std
    improvement = (mean - best) * norm.cdf(z) + std * norm.pdf(z)
    return decode(ranges, candidates[int(np.argmax(improvement))])
