"""EndpointRuntime: what SageMaker does server-side for one ``InvokeEndpoint`` request.

Per request: a production variant chosen by the endpoint's current weights (or ``TargetVariant``), the
body parsed as the scikit-learn container parses it, that variant's model predicting, the answer rendered
for ``Accept``, the request captured to S3 when ``DataCaptureConfig`` samples it, and ``Invocations`` /
``ModelLatency`` / ``OverheadLatency`` published to CloudWatch. Where models come from and where captures
and metrics go is a :class:`RuntimeIO`.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from multi_cloud.core.errors import CloudError, InvalidArgument
from multi_cloud.emulation.serving.model_cache import LoadedModel
from multi_cloud.emulation.serving.payloads import BadPayload, UnsupportedMediaType
from multi_cloud.emulation.serving.sklearn_container import DEFAULT_HANDLER, SklearnHandler
from multi_cloud.emulation.serving.traffic_split import RequestRejected, choose_variant

from aws_ai_services.emulator.sagemaker_serving.capture import capture_record, capture_uri
from aws_ai_services.emulator.sagemaker_serving.endpoint_setup import LiveEndpoint, ServedVariant
from aws_ai_services.emulator.sagemaker_serving.invocation_metrics import invocation_metric_data


@dataclass(frozen=True)
class Invocation:
    """The answer to one request and what happened on the way."""

    body: bytes
    content_type: str
    variant: str
    model_name: str
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
            output, output_type = self._container(io, variant, body, content_type, accept)
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
        return Invocation(output, output_type, chosen, variant.model_name, model_us, captured)

    @staticmethod
    def _container(
        io: RuntimeIO,
        variant: ServedVariant,
        body: bytes,
        content_type: str,
        accept: str,
        handler: SklearnHandler = DEFAULT_HANDLER,
    ) -> tuple[bytes, str]:
        """The scikit-learn container: input_fn, predict_fn, output_fn; errors carry its HTTP status."""
        try:
            loaded = io.model(variant)
        except CloudError as exc:
            raise ContainerError(500, f"the model could not be loaded: {exc.message}", variant.name) from exc
        try:
            return handler.invoke(loaded.model, body, content_type, accept)
        except UnsupportedMediaType as exc:
            raise ContainerError(exc.status, str(exc), variant.name) from exc
        except (BadPayload, InvalidArgument) as exc:
            raise ContainerError(400, getattr(exc, "message", str(exc)), variant.name) from exc

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
