"""Production variants of an endpoint config: instance-backed or serverless, with traffic weights (A/B tests).

Each variant serves its own model; SageMaker sends a request to variant *i* with probability
``weight_i / sum(weights)`` unless the caller names a ``TargetVariant``. These checks are the ones
SageMaker makes on ``CreateEndpointConfig`` / ``UpdateEndpointWeightsAndCapacities`` and moto skips.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_ai_services.sagemaker.aws_validation import aws_error, check_range

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
#: SageMaker's limits
MAX_VARIANTS = 10
SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200
VARIANT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")


@dataclass(frozen=True)
class ServerlessConfig:
    """Serverless inference: memory per worker and how many requests may run at once (no instances)."""

    memory_size_mb: int = 2048
    max_concurrency: int = 5

    def request(self) -> dict[str, int]:
        return {"MemorySizeInMB": self.memory_size_mb, "MaxConcurrency": self.max_concurrency}


@dataclass(frozen=True)
class VariantSpec:
    """One production variant: a trained artifact, its share of traffic, and where it runs."""

    name: str
    artifact: str
    weight: float = 1.0
    instance_type: str = DEFAULT_INSTANCE_TYPE
    instance_count: int = 1
    serverless: ServerlessConfig | None = None

    def model_name(self, endpoint_name: str) -> str:
        return f"{endpoint_name}-{self.name}"

    def request(self, model_name: str) -> dict[str, Any]:
        variant: dict[str, Any] = {
            "VariantName": self.name,
            "ModelName": model_name,
            "InitialVariantWeight": float(self.weight),
        }
        if self.serverless is not None:
            variant["ServerlessConfig"] = self.serverless.request()
        else:
            variant["InstanceType"] = self.instance_type
            variant["InitialInstanceCount"] = self.instance_count
        return variant


def check_variants(variants: Sequence[VariantSpec], operation: str = "CreateEndpointConfig") -> None:
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise aws_error(
            operation,
            f"An endpoint config needs 1 to {MAX_VARIANTS} production variants, got {len(variants)}",
        )
    names = [variant.name for variant in variants]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise aws_error(
            operation,
            f"Each production variant needs its own name; used more than once: {', '.join(duplicated)}",
        )
    for variant in variants:
        if len(variant.name) > 63 or not VARIANT_NAME.match(variant.name):
            raise aws_error(
                operation, f"Variant name {variant.name!r} is not valid: use letters, digits and hyphens"
            )
        if variant.serverless is not None:
            check_serverless(variant.serverless, operation)
        else:
            check_range(operation, variant.instance_count, "productionVariants.initialInstanceCount", 1, 1000)
    check_weights({v.name: v.weight for v in variants}, operation)


def check_serverless(config: ServerlessConfig, operation: str) -> None:
    if config.memory_size_mb not in SERVERLESS_MEMORY_SIZES:
        raise aws_error(
            operation,
            f"1 validation error detected: Value '{config.memory_size_mb}' at "
            "'serverlessConfig.memorySizeInMB' failed to satisfy constraint: "
            f"Member must be one of {list(SERVERLESS_MEMORY_SIZES)}",
        )
    check_range(
        operation, config.max_concurrency, "serverlessConfig.maxConcurrency", 1, MAX_SERVERLESS_CONCURRENCY
    )


def check_weights(weights: Mapping[str, float], operation: str) -> None:
    """Every weight >= 0 and at least one > 0 (otherwise no variant could take traffic)."""
    for name, weight in weights.items():
        if weight < 0:
            raise aws_error(
                operation,
                f"1 validation error detected: Value '{weight}' at 'variantWeight' of variant {name} "
                "failed to satisfy constraint: Member must have value greater than or equal to 0",
            )
    if weights and sum(weights.values()) <= 0:
        raise aws_error(
            operation,
            "The sum of the variant weights must be greater than 0 so that some variant receives traffic",
        )
