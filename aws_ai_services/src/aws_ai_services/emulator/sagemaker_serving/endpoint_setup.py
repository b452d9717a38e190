"""An endpoint as served: its config's variants with their models, capture settings and current weights."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_ai_services.emulator.sagemaker_serving.capture import CaptureSettings

#: endpoint statuses in which SageMaker still serves requests
SERVING_STATUSES = frozenset({"InService", "Updating", "SystemUpdating", "RollingBack"})


@dataclass(frozen=True)
class ServedVariant:
    """A production variant as the runtime needs it (config part; weights come from DescribeEndpoint)."""

    name: str
    model_name: str
    artifact: str  # "" when the model is gone
    initial_weight: float
    instance_count: int
    instance_type: str  # "" for a serverless variant
    serverless: bool
    model_version: str = ""  # the model's creation time: a model recreated under one name is another

    @classmethod
    def from_config(cls, entry: Mapping[str, Any], artifact: str, model_version: str = "") -> ServedVariant:
        """From a ``ProductionVariants`` entry of ``DescribeEndpointConfig``."""
        return cls(
            name=entry["VariantName"],
            model_name=entry["ModelName"],
            artifact=artifact,
            initial_weight=float(entry.get("InitialVariantWeight", 1.0)),
            instance_count=int(entry.get("InitialInstanceCount", 1)),
            instance_type=str(entry.get("InstanceType", "")),
            serverless="ServerlessConfig" in entry,
            model_version=model_version,
        )


@dataclass(frozen=True)
class EndpointSetup:
    """An endpoint config as served: its variants with their models, and its capture settings."""

    config_name: str
    variants: tuple[ServedVariant, ...]
    capture: CaptureSettings | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], model: Callable[[str], tuple[str, str]]) -> EndpointSetup:
        """From ``DescribeEndpointConfig``; ``model(name)`` is ``(ModelDataUrl, version)``."""
        return cls(
            config["EndpointConfigName"],
            tuple(
                ServedVariant.from_config(entry, *model(entry["ModelName"]))
                for entry in config.get("ProductionVariants", [])
            ),
            CaptureSettings.from_request(config.get("DataCaptureConfig")),
        )


@dataclass(frozen=True)
class LiveEndpoint:
    """What one request sees: the endpoint's status, setup and current weights."""

    name: str
    status: str
    setup: EndpointSetup
    weights: Mapping[str, float]


def current_weights(description: Mapping[str, Any], setup: EndpointSetup) -> dict[str, float]:
    """Each variant's current weight: DescribeEndpoint's ``CurrentWeight``, else the config's initial one."""
    live = {v["VariantName"]: v for v in description.get("ProductionVariants") or []}
    return {
        variant.name: float(live.get(variant.name, {}).get("CurrentWeight", variant.initial_weight))
        for variant in setup.variants
    }


def model_artifact(description: Mapping[str, Any]) -> str:
    """The ``ModelDataUrl`` of a described model (its primary or first container), or ""."""
    container = description.get("PrimaryContainer") or (description.get("Containers") or [{}])[0] or {}
    return str(container.get("ModelDataUrl") or "")
