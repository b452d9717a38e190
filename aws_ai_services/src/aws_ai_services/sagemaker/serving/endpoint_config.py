"""Production variants of an endpoint config: instance-backed or serverless, with traffic weights (A/B tests).

Each variant serves its own model; SageMaker sends a request to variant *i* with probability
``weight_i / sum(weights)`` unless the caller names a ``TargetVariant``. SageMaker checks the variants
(names, weights, serverless sizes) on ``CreateEndpointConfig`` / ``UpdateEndpointWeightsAndCapacities``;
so does the local cloud, server-side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_INSTANCE_TYPE = "ml.m5.large"


@dataclass(frozen=True)
class ServerlessConfig:
    """Serverless inference: memory per worker (1024-6144 MB in 1 GB steps) and requests at once (1-200)."""

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
