"""SageMaker Runtime ``InvokeEndpoint``: the endpoint's trained model (from moto's control plane) predicts.

endpoint -> endpoint config -> production variant (``TargetVariant`` or the first) -> model ->
``ModelDataUrl`` are read from moto's SageMaker; the ``model.tar.gz`` is loaded from moto's S3 and cached
by URI and ETag (:mod:`aws_ai_services.sagemaker.model_cache`). A payload the container would reject
becomes SageMaker's ``ModelError`` (HTTP 424) carrying the container's status, as on AWS.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.emulation.aws_protocol import AwsError, ErrorCodes, RequestContext
from multi_cloud.emulation.aws_routing import AwsResponder

from aws_ai_services.emulator import inference_payloads as payloads
from aws_ai_services.emulator.control_plane import ControlPlane

MAX_BODY_BYTES = 6 * 1024 * 1024  # InvokeEndpoint's payload limit (botocore model: 6291456)


class SageMakerRuntimeResponses(AwsResponder):
    service_name = "sagemaker-runtime"
    error_codes = ErrorCodes(invalid="ValidationError", not_found="ValidationError")

    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane

    def invoke_endpoint(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        name = params["EndpointName"]
        body: bytes = params.get("Body") or b""
        if len(body) > MAX_BODY_BYTES:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have "
                f"length less than or equal to {MAX_BODY_BYTES} (got {len(body)} bytes)",
            )
        variant, artifact = self._resolve(name, params.get("TargetVariant", ""), context)
        content_type = params.get("ContentType", "application/octet-stream")
        try:
            rows = payloads.decode_rows(body, content_type)
            kind = payloads.response_type(params.get("Accept", ""), content_type)
            values = self._predict(artifact, rows, context)
        except payloads.PayloadError as exc:
            raise _model_error(exc.status, str(exc), name, variant, context) from exc
        return {
            "Body": payloads.encode_predictions(values, kind),
            "ContentType": kind,
            "InvokedProductionVariant": variant,
            "CustomAttributes": params.get("CustomAttributes"),
        }

    def _resolve(self, name: str, target_variant: str, context: RequestContext) -> tuple[str, str]:
        """``(variant name, model artifact URI)`` of the endpoint, via moto's SageMaker."""
        from botocore.exceptions import ClientError

        sagemaker = self.control_plane.client("sagemaker", context.region)
        try:
            endpoint = sagemaker.describe_endpoint(EndpointName=name)
            config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        except ClientError as exc:
            raise AwsError("ValidationError", f"Endpoint {name} of account {context.account_id} not found.") from exc
        if endpoint.get("EndpointStatus") != "InService":
            raise AwsError(
                "ValidationError",
                f"Endpoint {name} of account {context.account_id} is {endpoint.get('EndpointStatus')}; "
                "invoke it once it is InService.",
            )
        variants = config.get("ProductionVariants", [])
        chosen = next((v for v in variants if v["VariantName"] == target_variant), None) if target_variant else None
        if target_variant and chosen is None:
            raise AwsError(
                "ValidationError",
                f"Endpoint {name} does not have target variant {target_variant}; it has "
                f"{', '.join(v['VariantName'] for v in variants)}.",
            )
        chosen = chosen or variants[0]
        try:
            model = sagemaker.describe_model(ModelName=chosen["ModelName"])
        except ClientError as exc:
            raise AwsError(
                "ValidationError", f"Model {chosen['ModelName']} behind endpoint {name} no longer exists."
            ) from exc
        container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
        artifact = container.get("ModelDataUrl", "")
        if not artifact:
            raise AwsError("ValidationError", f"Model {chosen['ModelName']} has no ModelDataUrl to serve.")
        return chosen["VariantName"], artifact

    def _predict(self, artifact: str, rows: list[list[float]], context: RequestContext) -> list[Any]:
        from aws_ai_services.sagemaker.model_cache import MODEL_CACHE

        try:
            loaded = MODEL_CACHE.load(self.control_plane.s3_storage(context.region), artifact)
            values, _probabilities = loaded.predict(rows)
        except (InvalidArgument, NotFound) as exc:
            status = 400 if isinstance(exc, InvalidArgument) else 500
            raise payloads.PayloadError(status, exc.message) from exc
        return list(values)


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
