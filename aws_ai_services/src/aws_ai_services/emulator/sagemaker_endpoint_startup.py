"""Make moto's SageMaker endpoints start as SageMaker's do: each variant's model loaded, or ``Failed``.

moto marks every endpoint ``InService`` at once. After ``install()`` (the ``cloudai.moto_patches`` entry
point, idempotent), ``CreateEndpoint`` refuses a name in use (``ValidationException``, as SageMaker), then
loads each production variant's ``ModelDataUrl`` from moto's S3 into the shared model cache (so the first
``InvokeEndpoint`` is fast); a missing or unreadable artifact leaves the endpoint ``Failed`` with
SageMaker's ``FailureReason``. SageMaker takes minutes to get there (``Creating``); the local cloud decides
while it answers ``CreateEndpoint``, so the ``endpoint_in_service`` waiter ends on its first poll.
"""

from __future__ import annotations

from functools import partial
from types import ModuleType
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.serving.model_cache import MODEL_CACHE

from aws_ai_services.emulator.moto_patching import patch_method, when_imported
from aws_ai_services.emulator.moto_state import MotoS3, S3Missing
from aws_ai_services.emulator.sagemaker_serving.endpoint_setup import model_artifact


def install() -> None:
    from aws_ai_services.emulator import sagemaker_autoscaling_alarms

    when_imported("moto.sagemaker.responses", _patch_responses)
    sagemaker_autoscaling_alarms.install()  # target tracking on a variant creates its alarms, as in AWS


def _patch_responses(module: ModuleType) -> None:
    def make_create(original: Any) -> Any:
        def create_endpoint(self: Any) -> Any:
            from moto.sagemaker.exceptions import ValidationError

            backend = self.sagemaker_backend
            name = self._get_param("EndpointName")
            if name in backend.endpoints:
                arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:endpoint/{name}"
                raise ValidationError(f'Cannot create already existing endpoint "{arn}".')
            answer = original(self)
            endpoint = backend.endpoints[name]
            reason = startup_failure(backend, endpoint)
            if reason:
                endpoint.endpoint_status, endpoint.failure_reason = "Failed", reason
            return answer

        return create_endpoint

    patch_method(module.SageMakerResponse, "create_endpoint", make_create)


def startup_failure(backend: Any, endpoint: Any) -> str:
    """SageMaker's ``FailureReason`` when a variant's model cannot be loaded, else ""."""
    s3 = MotoS3(backend.account_id)
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    for variant in (config.production_variants if config else None) or []:
        name = variant.get("VariantName", "")
        model = backend._models.get(variant.get("ModelName", ""))
        uri = (
            model_artifact({"PrimaryContainer": model.primary_container, "Containers": model.containers})
            if model
            else ""
        )
        if not uri:
            return f"The model of production variant {name} has no ModelDataUrl: nothing to serve."
        try:
            MODEL_CACHE.load(uri, s3.etag(uri), partial(s3.get, uri))
        except S3Missing:
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            return (
                f"Failed to download model data(bucket: {bucket}, key: {key}). Please ensure that there is "
                "an object located at the URL and that the role passed to CreateModel has permissions to "
                "download the model."
            )
        except CloudError as exc:
            return (
                f"The primary container for production variant {name} did not pass the ping health check: "
                f"{exc.message}"
            )
    return ""
