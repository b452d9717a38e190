"""SageMakerDeployer: models, endpoint configs and endpoints in SageMaker; predictions from the artifact.

``deploy`` creates the three SageMaker resources (all named after the endpoint) with boto3 and waits
for ``InService``. ``predict`` resolves endpoint -> endpoint config -> model -> ``ModelDataUrl``
through the control plane (``DescribeEndpoint`` on every call, so a deleted endpoint is NotFound;
configs and models are immutable in SageMaker, so their part is cached per endpoint version), then
predicts with the real trained model, loaded from ``model.tar.gz`` in-process and cached by artifact
URI and ETag.
It does not call ``InvokeEndpoint`` yet: moto answers that with canned values, and serving it from
the artifact through an emulator is a later step. In cloud mode the same code creates real endpoints
(with the ``model_fn`` handler the scikit-learn serving container needs); ``predict`` still computes
from the artifact here rather than invoking the endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from multi_cloud.core.errors import AlreadyExists, NotFound, Unavailable
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Endpoint, EndpointStatus, Prediction

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.inference_model import (
    create_inference_model,
    delete_inference_model,
    model_artifact,
)
from aws_ai_services.sagemaker.model_cache import MODEL_CACHE, ModelCache
from aws_ai_services.sagemaker.training_jobs import check_resource_name
from aws_ai_services.session import aws_client
from aws_ai_services.storage.s3 import S3Storage

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
VARIANT_NAME = "AllTraffic"
#: SageMaker endpoint statuses folded into the portable four
_STATUS: Mapping[str, EndpointStatus] = {
    "InService": "InService",
    "Updating": "InService",
    "SystemUpdating": "InService",
    "RollingBack": "InService",
    "Creating": "Creating",
    "Deleting": "Deleting",
}


class SageMakerDeployer:
    """Deploy trained artifacts to SageMaker endpoints, list and delete them, and predict."""

    def __init__(
        self,
        storage: S3Storage,
        settings: Settings | None = None,
        *,
        provider: str = "aws",
        cache: ModelCache = MODEL_CACHE,
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.provider = provider
        self.cache = cache
        #: (endpoint, config, created, modified) -> (serving variant, artifact URI)
        self._resolved: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {}

    @cached_property
    def client(self) -> Any:
        return aws_client("sagemaker", self.settings)

    def deploy(
        self, artifact: str, endpoint_name: str, *, instance_type: str = DEFAULT_INSTANCE_TYPE
    ) -> Endpoint:
        """Serve ``artifact`` (an ``s3://.../model.tar.gz``) at ``endpoint_name``; returns it InService."""
        check_resource_name("endpoint", endpoint_name)
        self._refuse_existing_endpoint(endpoint_name)
        self.cache.load(self.storage, artifact)  # a model that cannot load never gets an endpoint
        create_inference_model(self.client, self.storage, self.settings, endpoint_name, artifact)
        try:
            with aws_errors("models.deploy"):
                self.client.create_endpoint_config(
                    EndpointConfigName=endpoint_name,
                    ProductionVariants=[
                        {
                            "VariantName": VARIANT_NAME,
                            "ModelName": endpoint_name,
                            "InitialInstanceCount": 1,
                            "InstanceType": instance_type,
                            "InitialVariantWeight": 1.0,
                        }
                    ],
                )
                self.client.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=endpoint_name)
        except Exception:
            self._delete_config_and_model(endpoint_name, [endpoint_name])
            raise
        self._wait_in_service(endpoint_name)
        return self.describe_endpoint(endpoint_name)

    def _refuse_existing_endpoint(self, name: str) -> None:
        try:
            self.describe_endpoint(name)
        except NotFound:
            return
        raise AlreadyExists(
            f"endpoint {name!r} already exists; delete it first or choose another name",
            provider=self.provider,
            operation="models.deploy",
        )

    def _wait_in_service(self, name: str) -> None:
        """Real endpoints take minutes; moto's are InService at once, so this returns on the first poll."""
        with aws_errors("models.deploy"):
            self.client.get_waiter("endpoint_in_service").wait(
                EndpointName=name, WaiterConfig={"Delay": 30, "MaxAttempts": 60}
            )

    # ------------------------------------------------------------------ describe / list / delete
    def describe_endpoint(self, name: str) -> Endpoint:
        description, variant, artifact = self._resolve(name)
        return self._to_endpoint(description, variant, artifact)

    def list_endpoints(self) -> list[Endpoint]:
        """Every endpoint with its status (names and status only; ``describe_endpoint`` has the model)."""
        endpoints: list[Endpoint] = []
        with aws_errors("models.list_endpoints"):
            for page in self.client.get_paginator("list_endpoints").paginate():
                endpoints += [self._to_endpoint(e, {}, "") for e in page.get("Endpoints", [])]
        return endpoints

    def delete_endpoint(self, name: str) -> None:
        """Delete the endpoint, then its endpoint config and model(s)."""
        with aws_errors("models.delete_endpoint"):
            config_name = self.client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
        model_names = [variant["ModelName"] for variant in self._variants(config_name)]
        with aws_errors("models.delete_endpoint"):
            self.client.delete_endpoint(EndpointName=name)
        self._delete_config_and_model(config_name, model_names)
        self._resolved = {k: v for k, v in self._resolved.items() if k[0] != name}

    def _delete_config_and_model(self, config_name: str, model_names: Sequence[str]) -> None:
        try:
            with aws_errors("models.delete_endpoint"):
                self.client.delete_endpoint_config(EndpointConfigName=config_name)
        except NotFound:
            pass
        for model_name in model_names:
            delete_inference_model(self.client, self.storage, self.settings, model_name)

    def _variants(self, config_name: str) -> list[dict[str, Any]]:
        """The production variants of an endpoint config ([] when the config is gone)."""
        try:
            with aws_errors("models.describe_endpoint_config"):
                config = self.client.describe_endpoint_config(EndpointConfigName=config_name)
        except NotFound:
            return []
        variants: list[dict[str, Any]] = config.get("ProductionVariants", [])
        return variants

    # ------------------------------------------------------------------ predict
    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction:
        """Predict ``instances`` (rows of features) with the model behind ``endpoint_name``."""
        started = time.perf_counter()
        description, variant, artifact = self._resolve(endpoint_name)
        if _STATUS.get(description["EndpointStatus"]) != "InService":
            raise Unavailable(
                f"endpoint {endpoint_name!r} is {description['EndpointStatus']}, not InService; "
                "wait for it and retry",
                provider=self.provider,
                operation="models.predict",
            )
        with aws_errors("models.predict"):
            loaded = self.cache.load(self.storage, artifact)
            values, probabilities = loaded.predict(instances)
        return Prediction(
            values=values,
            model=variant["ModelName"],
            provider=self.provider,
            probabilities=probabilities,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _resolve(self, endpoint_name: str) -> tuple[dict[str, Any], dict[str, Any], str]:
        """``(DescribeEndpoint answer, serving variant, model artifact)``; the first variant serves."""
        with aws_errors("models.describe_endpoint"):
            description: dict[str, Any] = self.client.describe_endpoint(EndpointName=endpoint_name)
        created, modified = str(description.get("CreationTime")), str(description.get("LastModifiedTime"))
        version = (endpoint_name, str(description["EndpointConfigName"]), created, modified)
        if version not in self._resolved:
            variants = self._variants(description["EndpointConfigName"])
            if not variants:
                raise NotFound(
                    f"endpoint {endpoint_name!r} has no endpoint config "
                    f"{description['EndpointConfigName']!r}; delete the endpoint and deploy again",
                    provider=self.provider,
                    operation="models.predict",
                )
            self._resolved[version] = (variants[0], model_artifact(self.client, variants[0]["ModelName"]))
        variant, artifact = self._resolved[version]
        return description, variant, artifact

    def _to_endpoint(
        self, description: Mapping[str, Any], variant: Mapping[str, Any], artifact: str
    ) -> Endpoint:
        return Endpoint(
            name=description["EndpointName"],
            status=_STATUS.get(description["EndpointStatus"], "Failed"),
            provider=self.provider,
            model_name=str(variant.get("ModelName", "")),
            model_artifact=artifact,
            instance_type=str(variant.get("InstanceType", "")),
        )
