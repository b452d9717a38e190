"""Pick the variant (SageMaker) or deployment (Vertex, Azure ML) for one request: by weight, or pinned."""

from __future__ import annotations

import random
from collections.abc import Mapping


class RequestRejected(ValueError):
    """The service refuses the request before any model sees it (SageMaker: ``ValidationError``)."""


def choose_variant(weights: Mapping[str, float], rng: random.Random, target: str | None = None) -> str:
    """``target`` when given (it must exist), else variant *i* with probability ``w_i / sum(w)``."""
    if target:
        if target not in weights:
            raise RequestRejected(
                f"TargetVariant {target} is not a production variant of this endpoint "
                f"(variants: {', '.join(weights)})."
            )
        return target
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        raise RequestRejected(
            "Every production variant has weight 0, so no variant can take the request; raise a weight with "
            "UpdateEndpointWeightsAndCapacities or pass TargetVariant."
        )
    point = rng.random() * total
    positive = [(name, weight) for name, weight in weights.items() if weight > 0]
    for name, weight in positive:
        point -= weight
        if point < 0:
            return name
    return positive[-1][0]
