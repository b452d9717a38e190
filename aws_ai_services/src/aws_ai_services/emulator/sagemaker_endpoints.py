"""Which trained artifact serves a SageMaker endpoint, read from moto's control plane on every invocation.

endpoint -> endpoint config -> production variant (``TargetVariant`` or the first) -> model ->
``ModelDataUrl``. When moto runs in this process (the local cloud's daemon and the test fixtures start it
beside the emulator), its SageMaker backend is read directly: a dictionary lookup instead of three HTTP
round trips of about 4 ms each, which keeps InvokeEndpoint's overhead near 2 ms. Otherwise the same
answers come from DescribeEndpoint / DescribeEndpointConfig / DescribeModel over HTTP. Either way a
deleted or replaced endpoint is noticed on the very next call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.aws_protocol import AwsError, RequestContext

from aws_ai_services.emulator.control_plane import ControlPlane, _in_process_moto


@dataclass(frozen=True)
class ServingModel:
    variant: str
    model_name: str
    artifact: str
    version: str  # the model's creation time: a model recreated under the same name is another model


def endpoint_not_found(name: str, context: RequestContext) -> AwsError:
    return AwsError("ValidationError", f"Endpoint {name} of account {context.account_id} not found.")


class EndpointResolver:
    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane

    def resolve(self, name: str, target_variant: str, context: RequestContext) -> ServingModel:
        backend = self._in_process_backend(context)
        if backend is not None:
            endpoint, variants, models = self._from_backend(backend, name, context)
        else:
            endpoint, variants, models = self._from_http(name, context)
        if endpoint["status"] != "InService":
            raise AwsError(
                "ValidationError",
                f"Endpoint {name} of account {context.account_id} is {endpoint['status']}; invoke it once it "
                "is InService.",
            )
        chosen = (
            next((v for v in variants if v["VariantName"] == target_variant), None)
            if target_variant
            else None
        )
        if target_variant and chosen is None:
            names = ", ".join(v["VariantName"] for v in variants)
            raise AwsError(
                "ValidationError",
                f"Endpoint {name} does not have target variant {target_variant}; it has {names}.",
            )
        chosen = chosen or variants[0]
        model = models(chosen["ModelName"])
        if model is None:
            raise AwsError(
                "ValidationError", f"Model {chosen['ModelName']} behind endpoint {name} no longer exists."
            )
        container = model["container"]
        if not container.get("ModelDataUrl"):
            raise AwsError("ValidationError", f"Model {chosen['ModelName']} has no ModelDataUrl to serve.")
        return ServingModel(
            chosen["VariantName"], chosen["ModelName"], container["ModelDataUrl"], model["version"]
        )

    def _in_process_backend(self, context: RequestContext) -> Any:
        local = _in_process_moto()
        if not local or local != self.control_plane.url:
            return None
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[context.account_id][context.region]

    @staticmethod
    def _from_backend(
        backend: Any, name: str, context: RequestContext
    ) -> tuple[dict[str, Any], list[Any], Any]:
        endpoint = backend.endpoints.get(name)
        config = backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint else None
        if endpoint is None or config is None:
            raise endpoint_not_found(name, context)

        def model(model_name: str) -> dict[str, Any] | None:
            found = backend._models.get(model_name)
            if found is None:
                return None
            container = found.primary_container or (found.containers or [{}])[0]
            return {"container": container or {}, "version": str(found.creation_time)}

        return {"status": endpoint.endpoint_status}, list(config.production_variants), model

    def _from_http(self, name: str, context: RequestContext) -> tuple[dict[str, Any], list[Any], Any]:
        from botocore.exceptions import ClientError

        sagemaker = self.control_plane.client("sagemaker", context.region)
        try:
            endpoint = sagemaker.describe_endpoint(EndpointName=name)
            config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
        except ClientError as exc:
            raise endpoint_not_found(name, context) from exc

        def model(model_name: str) -> dict[str, Any] | None:
            try:
                found = sagemaker.describe_model(ModelName=model_name)
            except ClientError:
                return None
            container = found.get("PrimaryContainer") or (found.get("Containers") or [{}])[0]
            return {"container": container, "version": str(found.get("CreationTime"))}

        return {"status": endpoint.get("EndpointStatus")}, config.get("ProductionVariants", []), model
