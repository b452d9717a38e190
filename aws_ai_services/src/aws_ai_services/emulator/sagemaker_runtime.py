"""SageMaker Runtime ``InvokeEndpoint``: what SageMaker does server-side, computed by ``EndpointRuntime``.

Each call reads the endpoint from moto's control plane (:mod:`.sagemaker_endpoints`), then
:class:`~aws_ai_services.emulator.sagemaker_serving.endpoint_runtime.EndpointRuntime` routes it to a
production variant by weight (or ``TargetVariant``), the variant's trained model predicts (loaded from
moto's S3 once per SageMaker model, as an endpoint loads it once at start-up), sampled requests are
captured to moto's S3 per the endpoint config's ``DataCaptureConfig``, and invocation metrics go to
moto's CloudWatch (straight into its backends when moto runs in this process: PutMetricData over HTTP
costs moto ~4.5 ms of query parsing, the backend call 0.02 ms). An answer the scikit-learn container
would refuse becomes SageMaker's ``ModelError`` (HTTP 424) carrying the container's status, as on AWS.
As on AWS, a failed capture or metric write never fails the request (it is logged).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import timezone
from typing import Any

from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, RequestContext
from multi_cloud.emulation.protocols.aws.routing import AwsResponder
from multi_cloud.emulation.serving.model_cache import LoadedModel
from multi_cloud.emulation.serving.traffic_split import RequestRejected

from aws_ai_services.emulator.control_plane import ControlPlane
from aws_ai_services.emulator.moto_state import MotoS3
from aws_ai_services.emulator.sagemaker_endpoints import EndpointResolver
from aws_ai_services.emulator.sagemaker_serving.artifacts import Artifacts
from aws_ai_services.emulator.sagemaker_serving.capture import capture_file
from aws_ai_services.emulator.sagemaker_serving.endpoint_runtime import (
    ContainerError,
    EndpointRuntime,
)
from aws_ai_services.emulator.sagemaker_serving.endpoint_setup import ServedVariant
from aws_ai_services.emulator.sagemaker_serving.invocation_metrics import NAMESPACE

MAX_BODY_BYTES = 6 * 1024 * 1024  # InvokeEndpoint's payload limit (botocore model: 6291456)
MAX_LOADED_MODELS = 16
LOG = logging.getLogger(__name__)


class LoadedModels:
    """Models behind endpoints, loaded once per (region, SageMaker model, version, artifact)."""

    def __init__(self, max_models: int = MAX_LOADED_MODELS) -> None:
        self.max_models = max_models
        self._models: OrderedDict[tuple[str, ...], LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, artifacts: Artifacts, variant: ServedVariant) -> LoadedModel:
        key = (artifacts.region, variant.model_name, variant.model_version, variant.artifact)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        loaded = artifacts.load(variant.artifact)
        with self._lock:
            self._models[key] = loaded
            while len(self._models) > self.max_models:
                self._models.popitem(last=False)
        return loaded


class RegionIO:
    """The runtime's models, capture files and metrics in one account and region of moto."""

    def __init__(
        self, control_plane: ControlPlane, account_id: str, region: str, models: LoadedModels
    ) -> None:
        self.control_plane = control_plane
        self.account_id = account_id
        self.region = region
        self.models = models
        self.artifacts = Artifacts(control_plane, account_id, region)

    def model(self, variant: ServedVariant) -> LoadedModel:
        return self.models.get(self.artifacts, variant)

    def write_capture(self, uri: str, records: list[dict[str, Any]]) -> None:
        try:
            if self.control_plane.in_process():
                MotoS3(self.account_id).put(uri, capture_file(records))
            else:
                bucket, key = split_uri(uri, scheme="s3")
                self.control_plane.client("s3", self.region).put_object(
                    Bucket=bucket, Key=key, Body=capture_file(records), ContentType="application/jsonlines"
                )
        except Exception as exc:  # noqa: BLE001 - as on AWS, capture never fails the request
            LOG.warning("data capture to %s failed (does the bucket exist?): %s", uri, exc)

    def publish_metrics(self, metric_data: list[dict[str, Any]]) -> None:
        try:
            if self.control_plane.in_process():
                from moto.cloudwatch.models import cloudwatch_backends

                parsed = [  # as moto's request parser hands them over: naive UTC timestamps
                    {**point, "Timestamp": point["Timestamp"].astimezone(timezone.utc).replace(tzinfo=None)}
                    for point in metric_data
                ]
                cloudwatch_backends[self.account_id][self.region].put_metric_data(NAMESPACE, parsed)
            else:
                cloudwatch = self.control_plane.client("cloudwatch", self.region)
                cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=metric_data)
        except Exception as exc:  # noqa: BLE001 - as on AWS, metrics never fail the request
            LOG.warning("publishing endpoint metrics to CloudWatch failed: %s", exc)


class SageMakerRuntimeResponses(AwsResponder):
    service_name = "sagemaker-runtime"
    validate_input = True
    error_codes = ErrorCodes(invalid="ValidationError", not_found="ValidationError")

    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane
        self.endpoints = EndpointResolver(control_plane)
        self.runtime = EndpointRuntime()
        self.models = LoadedModels()
        self._io: dict[tuple[str, str, str], RegionIO] = {}
        self._lock = threading.Lock()

    def invoke_endpoint(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        received = time.perf_counter()
        name = params["EndpointName"]
        body: bytes = params.get("Body") or b""
        if len(body) > MAX_BODY_BYTES:
            raise AwsError(
                "ValidationError",
                "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have "
                f"length less than or equal to {MAX_BODY_BYTES} (got {len(body)} bytes)",
            )
        endpoint = self.endpoints.resolve(name, context)
        try:
            answer = self.runtime.invoke(
                endpoint,
                self._region_io(context),
                body,
                content_type=params.get("ContentType", ""),
                accept=params.get("Accept", ""),
                target_variant=params.get("TargetVariant") or None,
                received=received,
            )
        except RequestRejected as exc:
            raise AwsError("ValidationError", str(exc)) from exc
        except ContainerError as exc:
            raise _model_error(exc, name, context) from exc
        return {
            "Body": answer.body,
            "ContentType": answer.content_type,
            "InvokedProductionVariant": answer.variant,
        }

    def _region_io(self, context: RequestContext) -> RegionIO:
        key = (context.account_id, context.region, self.control_plane.url)
        with self._lock:
            if key not in self._io:
                self._io[key] = RegionIO(self.control_plane, context.account_id, context.region, self.models)
            return self._io[key]


def _model_error(error: ContainerError, endpoint: str, context: RequestContext) -> AwsError:
    """SageMaker's wrapper for a container's error answer (the message format AWS uses)."""
    kind = "client" if error.status < 500 else "server"
    log_group = f"/aws/sagemaker/Endpoints/{endpoint}"
    return AwsError(
        "ModelError",
        f'Received {kind} error ({error.status}) from primary with message "{error.message}". See '
        f"https://{context.region}.console.aws.amazon.com/cloudwatch/home?region={context.region}"
        f"#logEventViewer:group={log_group} in account {context.account_id} for more information.",
        fields={
            "OriginalStatusCode": error.status,
            "OriginalMessage": error.message,
            "LogStreamArn": context.arn("logs", f"log-group:{log_group}"),
        },
    )
