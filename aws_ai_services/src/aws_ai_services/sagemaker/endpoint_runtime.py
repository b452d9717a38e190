"""EndpointRuntime: what SageMaker does server-side for one ``InvokeEndpoint`` request, from the artifacts.

Per request: a production variant chosen by the endpoint's current weights (or the caller's
``TargetVariant``), the body parsed as the scikit-learn container parses it, that variant's trained model
predicting, the answer rendered for ``Accept``, the request captured to S3 when the endpoint config's
``DataCaptureConfig`` samples it, and ``Invocations`` / ``ModelLatency`` / ``OverheadLatency`` published to
CloudWatch per ``EndpointName`` + ``VariantName``. The AWS AI emulator serves ``InvokeEndpoint`` with it;
lesson code never calls it (``SageMakerDeployer`` calls the API, locally and in AWS alike).

Reading the endpoint (variants, models, weights, capture settings) is the caller's part: ``describe_setup``
over the SageMaker API, or the emulator's in-process view of moto. Where models come from and where
captures and metrics go is a :class:`RuntimeIO`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from multi_cloud.core.errors import CloudError, InvalidArgument, NotFound

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.data_capture import DataCaptureConfig, capture_record, capture_uri
from aws_ai_services.sagemaker.endpoint_metrics import invocation_metric_data
from aws_ai_services.sagemaker.model_cache import LoadedModel
from aws_ai_services.sagemaker.payloads import (
    BadPayload,
    UnsupportedMediaType,
    answer_type,
    predictions_body,
    rows_from_body,
)
from aws_ai_services.sagemaker.variant_routing import RequestRejected, choose_variant

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
    capture: DataCaptureConfig | None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], model: Callable[[str], tuple[str, str]]) -> EndpointSetup:
        """From ``DescribeEndpointConfig``; ``model(name)`` is ``(ModelDataUrl, version)``."""
        return cls(
            config["EndpointConfigName"],
            tuple(
                ServedVariant.from_config(entry, *model(entry["ModelName"]))
                for entry in config.get("ProductionVariants", [])
            ),
            DataCaptureConfig.from_request(config.get("DataCaptureConfig")),
        )


@dataclass(frozen=True)
class LiveEndpoint:
    """What one request sees: the endpoint's status, setup and current weights."""

    name: str
    status: str
    setup: EndpointSetup
    weights: Mapping[str, float]


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


class ContainerError(Exception):
    """The serving container answered with an error status (SageMaker returns it as ``ModelError``)."""

    def __init__(self, status: int, message: str, variant: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.variant = variant


class RuntimeIO(Protocol):
    """Where models come from and where captures and metrics go."""

    def model(self, variant: ServedVariant) -> LoadedModel: ...

    def write_capture(self, uri: str, records: list[dict[str, Any]]) -> None: ...

    def publish_metrics(self, metric_data: list[dict[str, Any]]) -> None: ...


def current_weights(description: Mapping[str, Any], setup: EndpointSetup) -> dict[str, float]:
    """Each variant's current weight: DescribeEndpoint's ``CurrentWeight``, else the config's initial one."""
    live = {v["VariantName"]: v for v in description.get("ProductionVariants", [])}
    return {
        variant.name: float(live.get(variant.name, {}).get("CurrentWeight", variant.initial_weight))
        for variant in setup.variants
    }


def describe_setup(client: Any, description: Mapping[str, Any]) -> EndpointSetup:
    """The setup of a described endpoint over the SageMaker API (DescribeEndpointConfig, DescribeModel)."""
    config_name = description["EndpointConfigName"]
    try:
        with aws_errors("models.describe_endpoint"):
            config = client.describe_endpoint_config(EndpointConfigName=config_name)
    except NotFound as exc:
        raise NotFound(
            f"endpoint {description['EndpointName']!r} has no endpoint config {config_name!r}; "
            "delete the endpoint and deploy again",
            provider="aws",
            operation="models.describe_endpoint",
        ) from exc

    def model(name: str) -> tuple[str, str]:
        with aws_errors("models.describe_model"):
            found = client.describe_model(ModelName=name)
        container = found.get("PrimaryContainer") or (found.get("Containers") or [{}])[0]
        if not container.get("ModelDataUrl"):
            raise NotFound(f"SageMaker model {name!r} has no ModelDataUrl (no trained artifact to serve)")
        return str(container["ModelDataUrl"]), str(found.get("CreationTime", ""))

    return EndpointSetup.from_config(config, model)


class EndpointRuntime:
    """Serve requests for endpoints described by the caller; thread-safe."""

    def __init__(self, *, seed: int | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - traffic splitting and sampling, not cryptography
        self._lock = threading.Lock()

    def invoke(
        self,
        endpoint: LiveEndpoint,
        io: RuntimeIO,
        body: bytes,
        *,
        content_type: str,
        accept: str,
        target_variant: str | None = None,
        received: float | None = None,
    ) -> Invocation:
        """Serve one request; ``received`` is the ``time.perf_counter()`` of its arrival.

        RequestRejected for a request SageMaker refuses itself (no metrics); ContainerError for the
        container's error answers, counted in ``Invocation4XXErrors`` / ``Invocation5XXErrors`` first.
        """
        started = time.perf_counter() if received is None else received
        capture = endpoint.setup.capture
        with self._lock:
            chosen = choose_variant(endpoint.weights, self.rng, target_variant)
            sampled = capture is not None and capture.sampled(self.rng)
        variant = next(v for v in endpoint.setup.variants if v.name == chosen)
        if not variant.artifact:
            raise RequestRejected(
                f"Model {variant.model_name} behind endpoint {endpoint.name} no longer exists or has no "
                "ModelDataUrl."
            )
        model_started = time.perf_counter()
        try:
            values, probabilities, output, output_type = self._container(
                io, variant, body, content_type, accept
            )
        except ContainerError as exc:
            self._publish(io, endpoint.name, variant, started, model_started, error_status=exc.status)
            raise
        model_us = self._publish(io, endpoint.name, variant, started, model_started)
        captured = ""
        if sampled and capture is not None:
            when = datetime.now(timezone.utc)
            captured = capture_uri(capture, endpoint.name, chosen, when)
            record = capture_record(
                capture,
                input_body=body,
                input_type=content_type,
                output_body=output,
                output_type=output_type,
                when=when,
            )
            io.write_capture(captured, [record])
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

    @staticmethod
    def _container(
        io: RuntimeIO, variant: ServedVariant, body: bytes, content_type: str, accept: str
    ) -> tuple[tuple[Any, ...], tuple[tuple[float, ...], ...], bytes, str]:
        """The scikit-learn container: input_fn, predict_fn, output_fn; errors carry its HTTP status."""
        try:
            loaded = io.model(variant)
        except CloudError as exc:
            raise ContainerError(500, f"the model could not be loaded: {exc.message}", variant.name) from exc
        try:
            rows = rows_from_body(body, content_type)
            _kind, verbose = answer_type(accept)
            values, probabilities = loaded.predict(rows)
            output, output_type = predictions_body(
                values, accept, probabilities=probabilities if verbose else ()
            )
        except UnsupportedMediaType as exc:
            raise ContainerError(exc.status, str(exc), variant.name) from exc
        except (BadPayload, InvalidArgument) as exc:
            raise ContainerError(400, getattr(exc, "message", str(exc)), variant.name) from exc
        return values, probabilities, output, output_type

    @staticmethod
    def _publish(
        io: RuntimeIO,
        endpoint: str,
        variant: ServedVariant,
        started: float,
        model_started: float,
        *,
        error_status: int = 0,
    ) -> float:
        """Publish this request's metrics; returns its ModelLatency in microseconds."""
        now = time.perf_counter()
        model_us = (now - model_started) * 1e6
        io.publish_metrics(
            invocation_metric_data(
                endpoint,
                variant.name,
                model_latency_us=model_us,
                overhead_latency_us=max((now - started) * 1e6 - model_us, 0.0),
                instance_count=1 if variant.serverless else variant.instance_count,
                when=datetime.now(timezone.utc),
                error_status=error_status,
            )
        )
        return model_us
