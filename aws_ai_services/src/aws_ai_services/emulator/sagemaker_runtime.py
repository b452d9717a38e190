"""SageMaker Runtime ``InvokeEndpoint``: the endpoint's trained model (from moto's control plane) predicts.

The serving model is resolved on every call (:mod:`.sagemaker_endpoints`); its ``model.tar.gz`` is
loaded from moto's S3 once per SageMaker model, as an endpoint loads it once at start-up. A payload the
scikit-learn container would reject becomes SageMaker's ``ModelError`` (HTTP 424) carrying the
container's status, as on AWS.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.emulation.aws_protocol import AwsError, ErrorCodes, RequestContext
from multi_cloud.emulation.aws_routing import AwsResponder

from aws_ai_services.emulator import inference_payloads as payloads
from aws_ai_services.emulator.control_plane import ControlPlane
from aws_ai_services.emulator.sagemaker_endpoints import EndpointResolver, ServingModel

MAX_BODY_BYTES = 6 * 1024 * 1024  # InvokeEndpoint's payload limit (botocore model: 6291456)
MAX_LOADED_MODELS = 16


class SageMakerRuntimeResponses(AwsResponder):
    service_name = "sagemaker-runtime"
    error_codes = ErrorCodes(invalid="ValidationError", not_found="ValidationError")

    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane
        self.endpoints = EndpointResolver(control_plane)
        self._models: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def invoke_endpoint(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        name = params["EndpointName"]
        body: bytes = params.get("Body") or b""
        if len(body) > MAX_BODY_BYTES:
            raise AwsError(
                "ValidationError",
                "1 validation error detected: Value at 'body' failed to satisfy constraint: "
                f"Member must have "
                f"length less than or equal to {MAX_BODY_BYTES} (got {len(body)} bytes)",
            )
        serving = self.endpoints.resolve(name, params.get("TargetVariant", ""), context)
        content_type = params.get("ContentType", "application/octet-stream")
        try:
            rows = payloads.decode_rows(body, content_type)
            kind = payloads.response_type(params.get("Accept", ""), content_type)
            values = self._predict(serving, rows, context)
        except payloads.PayloadError as exc:
            raise _model_error(exc.status, str(exc), name, serving.variant, context) from exc
        return {
            "Body": payloads.encode_predictions(values, kind),
            "ContentType": kind,
            "InvokedProductionVariant": serving.variant,
            "CustomAttributes": params.get("CustomAttributes"),
        }

    def _predict(self, serving: ServingModel, rows: list[list[float]], context: RequestContext) -> list[Any]:
        try:
            values, _probabilities = self._loaded(serving, context).predict(rows)
        except (InvalidArgument, NotFound) as exc:
            status = 400 if isinstance(exc, InvalidArgument) else 500
            raise payloads.PayloadError(status, exc.message) from exc
        return list(values)

    def _loaded(self, serving: ServingModel, context: RequestContext) -> Any:
        """The model behind ``serving``, loaded once per SageMaker model (models are immutable)."""
        from aws_ai_services.sagemaker.model_cache import MODEL_CACHE

        key = (context.region, serving.model_name, serving.version, serving.artifact)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        loaded = MODEL_CACHE.load(self.control_plane.s3_storage(context.region), serving.artifact)
        with self._lock:
            self._models[key] = loaded
            while len(self._models) > MAX_LOADED_MODELS:
                self._models.popitem(last=False)
        return loaded


def _model_error(status: int, message: str, endpoint: str, variant: str, context: RequestContext) -> AwsError:
    """SageMaker's wrapper for a container's error answer (the message format AWS uses)."""
    kind = "client" if status < 500 else "server"
    log_group = f"/aws/sagemaker/Endpoints/{endpoint}"
    return AwsError(
        "ModelError",
        f'Received {kind} error ({status}) from {variant} with message "{message}". See '
        f"https://{context.region}.console.aws.amazon.com/cloudwatch/home?region={context.region}"
        f"#logEventViewer:group={log_group} in account {context.account_id} for more information.",
        fields={
            "OriginalStatusCode": status,
            "OriginalMessage": message,
            "LogStreamArn": context.arn("logs", f"log-group:{log_group}"),
        },
    )
