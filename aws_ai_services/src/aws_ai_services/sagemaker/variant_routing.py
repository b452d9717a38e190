"""Pick the production variant for one request: weighted at random, or the caller's TargetVariant."""

from __future__ import annotations

import random
from collections.abc import Mapping

from multi_cloud.core.errors import InvalidArgument

from aws_ai_services.sagemaker.aws_validation import aws_error


def choose_variant(weights: Mapping[str, float], rng: random.Random, target: str | None = None) -> str:
    """``target`` when given (it must exist), else variant *i* with probability ``w_i / sum(w)``."""
    if target:
        if target not in weights:
            raise aws_error(
                "InvokeEndpoint",
                f"TargetVariant {target!r} is not a production variant of this endpoint "
                f"(variants: {', '.join(weights)})",
                code="ValidationError",
                kind=InvalidArgument,
            )
        return target
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        raise aws_error(
            "InvokeEndpoint",
            "every production variant has weight 0, so no variant can take the request; raise a weight with "
            "UpdateEndpointWeightsAndCapacities or pass TargetVariant",
            code="ValidationError",
            kind=InvalidArgument,
        )
    point = rng.random() * total
    positive = [(name, weight) for name, weight in weights.items() if weight > 0]
    for name, weight in positive:
        point -= weight
        if point < 0:
            return name
    return positive[-1][0]
