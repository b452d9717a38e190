"""How a SageMaker endpoint is served right now, read from moto's control plane on every invocation.

endpoint -> status, current variant weights -> endpoint config -> variants, ``DataCaptureConfig`` ->
each variant's model -> ``ModelDataUrl``, as a :class:`LiveEndpoint`. When moto runs in this process (the
local cloud's daemon and the test fixtures start it beside the emulator), its SageMaker backend is read
directly: a dictionary lookup instead of HTTP round trips of about 3 ms each, which keeps InvokeEndpoint's
overhead near 2 ms. Otherwise the same answers come from DescribeEndpoint / DescribeEndpointConfig /
DescribeModel over HTTP. Either way a deleted, replaced or re-weighted endpoint is noticed on the next call.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError, RequestContext

from aws_ai_services.emulator.control_plane import ControlPlane
from aws_ai_services.emulator.sagemaker_serving.endpoint_setup import (
    SERVING_STATUSES,
    EndpointSetup,
    LiveEndpoint,
    current_weights,
    model_artifact,
)


def endpoint_not_found(name: str, context: RequestContext) -> AwsError:
    return AwsError("ValidationError", f"Endpoint {name} of account {context.account_id} not found.")


class EndpointResolver:
    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane

    def resolve(self, name: str, context: RequestContext) -> LiveEndpoint:
        backend = self._in_process_backend(context)
        live = self._from_backend(backend, name, context) if backend else self._from_http(name, context)
        if live.status not in SERVING_STATUSES:
            raise AwsError(
                "ValidationError",
                f"Endpoint {name} of account {context.account_id} is {live.status}; invoke it once it "
                "is InService.",
            )
        return live

    def _in_process_backend(self, context: RequestContext) -> Any:
        if not self.control_plane.in_process():
            return None
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[context.account_id][context.region]

    @staticmethod
    def _from_backend(backend: Any, name: str, context: RequestContext) -> LiveEndpoint:
        endpoint = backend.endpoints.get(name)
        config = backend.endpoint_configs.get(endpoint.endpoint_config_name) if endpoint else None
        if endpoint is None or config is None:
            raise endpoint_not_found(name, context)

        def model(model_name: str) -> tuple[str, str]:
            found = backend._models.get(model_name)
            if found is None:
                return "", ""
            description = {"PrimaryContainer": found.primary_container, "Containers": found.containers}
            return model_artifact(description), str(found.creation_time)

        setup = EndpointSetup.from_config(
            {
                "EndpointConfigName": config.endpoint_config_name,
                "ProductionVariants": config.production_variants,
                "DataCaptureConfig": config.data_capture_config,
            },
            model,
        )
        weights = current_weights({"ProductionVariants": endpoint.production_variants}, setup)
        return LiveEndpoint(name, str(endpoint.endpoint_status), setup, weights)

    def _from_http(self, name: str, context: RequestContext) -> LiveEndpoint:
        sagemaker = self.control_plane.client("sagemaker", context.region)
        try:
            description = sagemaker.describe_endpoint(EndpointName=name)
            config = sagemaker.describe_endpoint_config(EndpointConfigName=description["EndpointConfigName"])
        except sagemaker.exceptions.ClientError as exc:
            raise endpoint_not_found(name, context) from exc

        def model(model_name: str) -> tuple[str, str]:
            try:
                found = sagemaker.describe_model(ModelName=model_name)
            except sagemaker.exceptions.ClientError:
                return "", ""
            return model_artifact(found), str(found.get("CreationTime", ""))

        setup = EndpointSetup.from_config(config, model)
        weights = current_weights(description, setup)
        return LiveEndpoint(name, str(description.get("EndpointStatus")), setup, weights)
