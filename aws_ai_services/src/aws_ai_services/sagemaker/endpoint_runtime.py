"""EndpointRuntime: what SageMaker's runtime does for ``InvokeEndpoint``, computed from the artifacts.

For one request: ``DescribeEndpoint`` (a missing endpoint is SageMaker's own ValidationException
``Could not find endpoint``), the endpoint config's variants and data capture settings, a variant chosen
by the endpoint's current weights (or the caller's ``TargetVariant``), the body parsed as the scikit-learn
container parses it, the variant's trained model predicting, the answer rendered for ``Accept``, the
request captured to S3 when sampled, and ``Invocations`` / ``ModelLatency`` published to CloudWatch.
Used in-process by :class:`SageMakerDeployer` in local mode; an emulator serving ``InvokeEndpoint`` can
call :meth:`EndpointRuntime.invoke` with the raw body and headers.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound, Unavailable
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.aws_validation import aws_error
from aws_ai_services.sagemaker.data_capture import (
    DataCaptureConfig,
    capture_record,
    capture_uri,
    write_capture,
)
from aws_ai_services.sagemaker.endpoint_metrics import EndpointMetrics, invocation_metric_data
from aws_ai_services.sagemaker.inference_model import model_artifact
from aws_ai_services.sagemaker.model_cache import MODEL_CACHE, ModelCache
from aws_ai_services.sagemaker.payloads import (
    BadPayload,
    UnsupportedMediaType,
    predictions_body,
    rows_from_body,
)
from aws_ai_services.sagemaker.variant_routing import choose_variant
from aws_ai_services.session import aws_client
from aws_ai_services.storage.s3 import S3Storage

SERVING_STATUSES = frozenset({"InService", "Updating", "SystemUpdating", "RollingBack"})


@dataclass(frozen=True)
class ServedVariant:
    """A production variant as the runtime needs it (config part; weights come from DescribeEndpoint)."""

    name: str
    model_name: str
    artifact: str
    initial_weight: float
    instance_count: int
    instance_type: str  # "" for a serverless variant
    serverless: bool


@dataclass(frozen=True)
class EndpointSetup:
    config_name: str
    variants: tuple[ServedVariant, ...]
    capture: DataCaptureConfig | None


@dataclass(frozen=True)
class Invocation:
    """The answer to one request and what happened on the way."""

    body: bytes
    content_type: str
    variant: str
    model_name: str
    values: tuple[Any, ...]
    probabilities: tuple[tuple[float, ...], ...]
    model_latency_us: float
    captured_to: str = ""  # the capture file's URI when this request was sampled


class EndpointRuntime:
    """Serve requests for any endpoint recorded in the SageMaker control plane."""

    def __init__(
        self,
        storage: S3Storage,
        settings: Settings | None = None,
        *,
        cache: ModelCache = MODEL_CACHE,
        seed: int | None = None,
        publish_metrics: bool = True,
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.cache = cache
        self.rng = random.Random(seed)  # noqa: S311 - traffic splitting and sampling, not cryptography
        self.publish_metrics = publish_metrics
        self.metrics = EndpointMetrics(self.settings)
        self._setups: dict[tuple[str, str, str], EndpointSetup] = {}
        self._lock = threading.Lock()

    @cached_property
    def client(self) -> Any:
        return aws_client("sagemaker", self.settings)

    def invoke(
        self,
        endpoint_name: str,
        body: bytes,
        *,
        content_type: str = "text/csv",
        accept: str = "text/csv",
        target_variant: str | None = None,
    ) -> Invocation:
        started = time.perf_counter()
        description = self.describe_endpoint(endpoint_name)
        setup = self.setup(description)
        weights = current_weights(description, setup)
        with self._lock:
            chosen = choose_variant(weights, self.rng, target_variant)
            sampled = setup.capture is not None and setup.capture.sampled(self.rng)
        variant = next(v for v in setup.variants if v.name == chosen)
        loaded = self.cache.load(self.storage, variant.artifact)
        model_started = time.perf_counter()
        try:
            values, probabilities = loaded.predict(rows_from_body(body, content_type))
            output, output_type = predictions_body(values, accept)
        except (UnsupportedMediaType, BadPayload, InvalidArgument) as exc:
            raise aws_error(
                "InvokeEndpoint",
                f'Received client error (415/400) from primary with message "{getattr(exc, "message", exc)}"',
                code="ModelError",
                status=424,
                kind=InvalidArgument,
            ) from exc
        model_us = (time.perf_counter() - model_started) * 1e6
        when = datetime.now(timezone.utc)
        captured = ""
        if sampled and setup.capture is not None:
            captured = capture_uri(setup.capture, endpoint_name, chosen, when)
            record = capture_record(
                setup.capture,
                input_body=body,
                input_type=content_type,
                output_body=output,
                output_type=output_type,
                when=when,
            )
            write_capture(self.storage, captured, [record])
        if self.publish_metrics:
            overhead_us = max((time.perf_counter() - started) * 1e6 - model_us, 0.0)
            self.metrics.publish(
                invocation_metric_data(
                    endpoint_name,
                    chosen,
                    model_latency_us=model_us,
                    overhead_latency_us=overhead_us,
                    instance_count=1 if variant.serverless else variant.instance_count,
                    when=when,
                )
            )
        return Invocation(
            body=output,
            content_type=output_type,
            variant=chosen,
            model_name=variant.model_name,
            values=values,
            probabilities=probabilities,
            model_latency_us=model_us,
            captured_to=captured,
        )

    def describe_endpoint(self, endpoint_name: str) -> dict[str, Any]:
        with aws_errors("models.predict"):
            description: dict[str, Any] = self.client.describe_endpoint(EndpointName=endpoint_name)
        if description["EndpointStatus"] not in SERVING_STATUSES:
            raise Unavailable(
                f"endpoint {endpoint_name!r} is {description['EndpointStatus']}, not InService; wait for it "
                "and retry",
                provider="aws",
                operation="models.predict",
            )
        return description

    def setup(self, description: Mapping[str, Any]) -> EndpointSetup:
        """The endpoint config's variants, models and capture settings (immutable, so cached)."""
        key = (
            description["EndpointName"],
            description["EndpointConfigName"],
            str(description.get("CreationTime")),
        )
        with self._lock:
            if key in self._setups:
                return self._setups[key]
        config_name = description["EndpointConfigName"]
        try:
            with aws_errors("models.predict"):
                config = self.client.describe_endpoint_config(EndpointConfigName=config_name)
        except NotFound as exc:
            raise NotFound(
                f"endpoint {description['EndpointName']!r} has no endpoint config {config_name!r}; "
                "delete the endpoint and deploy again",
                provider="aws",
                operation="models.predict",
            ) from exc
        variants = tuple(
            ServedVariant(
                name=v["VariantName"],
                model_name=v["ModelName"],
                artifact=model_artifact(self.client, v["ModelName"]),
                initial_weight=float(v.get("InitialVariantWeight", 1.0)),
                instance_count=int(v.get("InitialInstanceCount", 1)),
                instance_type=str(v.get("InstanceType", "")),
                serverless="ServerlessConfig" in v,
            )
            for v in config.get("ProductionVariants", [])
        )
        setup = EndpointSetup(
            config_name, variants, DataCaptureConfig.from_request(config.get("DataCaptureConfig"))
        )
        with self._lock:
            self._setups[key] = setup
        return setup

    def forget(self, endpoint_name: str) -> None:
        with self._lock:
            self._setups = {k: v for k, v in self._setups.items() if k[0] != endpoint_name}


def current_weights(description: Mapping[str, Any], setup: EndpointSetup) -> dict[str, float]:
    """Each variant's current weight: DescribeEndpoint's ``CurrentWeight``, else the config's initial one."""
    live = {v["VariantName"]: v for v in description.get("ProductionVariants", [])}
    return {
        variant.name: float(live.get(variant.name, {}).get("CurrentWeight", variant.initial_weight))
        for variant in setup.variants
    }
