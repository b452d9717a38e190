"""SageMakerDeployer: models, endpoint configs and endpoints in SageMaker; predictions from the artifacts.

``deploy`` serves one artifact (variant ``AllTraffic``, model named after the endpoint);
``deploy_variants`` serves several — one model per variant, traffic split by weight (A/B tests),
instance-backed or serverless — optionally with data capture. Both create the SageMaker resources with
boto3 and wait for ``InService``. ``update_weights`` shifts traffic (``UpdateEndpointWeightsAndCapacities``).
``predict`` and ``invoke`` call the ``sagemaker-runtime`` API's ``InvokeEndpoint``, locally and in AWS
alike: the endpoint chooses the variant, captures the request and publishes the CloudWatch metrics
(locally the AWS AI emulator plays SageMaker, computing the answer from the trained artifact).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import AlreadyExists, CloudError, InvalidArgument, NotFound, error_for_status
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Endpoint, Prediction

from aws_ai_services import states
from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.monitor.data_capture import DataCaptureConfig
from aws_ai_services.sagemaker.serving.endpoint_config import (
    DEFAULT_INSTANCE_TYPE,
    ServerlessConfig,
    VariantSpec,
)
from aws_ai_services.sagemaker.serving.inference_model import (
    check_artifact,
    create_inference_model,
    delete_inference_model,
)
from aws_ai_services.sagemaker.serving.payloads import VERBOSE_JSON, csv_body, predictions_from_body
from aws_ai_services.sagemaker.training_jobs import check_resource_name
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

VARIANT_NAME = "AllTraffic"
#: seconds between DescribeEndpoint polls (local endpoints are decided on creation; AWS's take minutes)
WAIT_DELAY_SECONDS = 15
WAIT_MAX_ATTEMPTS = 120


@dataclass(frozen=True)
class SageMakerPrediction(Prediction):
    """A :class:`Prediction` plus the production variant that served it."""

    variant: str = ""


@dataclass(frozen=True)
class EndpointAnswer:
    """What ``InvokeEndpoint`` returned: the body as the container wrote it and the variant that served it."""

    body: bytes
    content_type: str
    variant: str


@dataclass(frozen=True)
class VariantState:
    """A production variant as the endpoint runs it now."""

    name: str
    model_name: str
    artifact: str
    weight: float  # CurrentWeight
    instance_type: str
    instance_count: int
    serverless: bool


@dataclass(frozen=True)
class ConfiguredVariant:
    """A production variant as its endpoint config declares it, with its model's artifact."""

    name: str
    model_name: str
    artifact: str
    initial_weight: float
    instance_type: str
    instance_count: int
    serverless: bool


@dataclass(frozen=True)
class DeletedEndpoint:
    endpoint: str
    endpoint_config: str
    models: tuple[str, ...]


class SageMakerDeployer:
    """Deploy trained artifacts to SageMaker endpoints, shift traffic between variants, and predict."""

    def __init__(
        self,
        storage: S3Storage,
        settings: Settings | None = None,
        *,
        provider: str = "aws",
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.provider = provider
        self._setups: dict[tuple[str, str, str], tuple[ConfiguredVariant, ...]] = {}
        self._models_by_variant: dict[str, dict[str, str]] = {}  # endpoint -> variant -> model name
        self._lock = threading.Lock()

    client = ServiceClient("sagemaker")

    runtime_client = ServiceClient("sagemaker-runtime")

    # ------------------------------------------------------------------ deploy
    def deploy(
        self,
        artifact: str,
        endpoint_name: str,
        *,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        serverless: ServerlessConfig | None = None,
        data_capture: DataCaptureConfig | None = None,
    ) -> Endpoint:
        """Serve ``artifact`` (an ``s3://.../model.tar.gz``) at ``endpoint_name``; returns it InService."""
        variant = VariantSpec(VARIANT_NAME, artifact, instance_type=instance_type, serverless=serverless)
        return self._deploy(endpoint_name, [variant], data_capture, model_names=[endpoint_name])

    def deploy_variants(
        self,
        endpoint_name: str,
        variants: Sequence[VariantSpec],
        *,
        data_capture: DataCaptureConfig | None = None,
    ) -> Endpoint:
        """One endpoint, several production variants (model ``<endpoint>-<variant>`` each)."""
        names = [variant.model_name(endpoint_name) for variant in variants]
        return self._deploy(endpoint_name, list(variants), data_capture, model_names=names)

    def _deploy(
        self,
        endpoint_name: str,
        variants: list[VariantSpec],
        data_capture: DataCaptureConfig | None,
        *,
        model_names: list[str],
    ) -> Endpoint:
        check_resource_name("endpoint", endpoint_name)
        for model_name in model_names:
            check_resource_name("model", model_name)
        config: dict[str, Any] = {"EndpointConfigName": endpoint_name}
        if data_capture is not None:
            config["DataCaptureConfig"] = data_capture.request()
        self._refuse_existing_endpoint(endpoint_name)
        for variant in variants:
            check_artifact(self.storage, variant.artifact, provider=self.provider, operation="models.deploy")
        created: list[str] = []
        try:
            for variant, model_name in zip(variants, model_names, strict=True):
                create_inference_model(self.client, self.storage, self.settings, model_name, variant.artifact)
                created.append(model_name)
            config["ProductionVariants"] = [v.request(m) for v, m in zip(variants, model_names, strict=True)]
            with aws_errors("models.deploy"):
                self.client.create_endpoint_config(**config)
                self.client.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=endpoint_name)
        except Exception:
            self._delete_config_and_models(endpoint_name, created)
            raise
        with self._lock:
            self._models_by_variant[endpoint_name] = {
                v.name: m for v, m in zip(variants, model_names, strict=True)
            }
        try:
            self._wait_in_service(endpoint_name)
        except InvalidArgument:
            self.delete_endpoint(endpoint_name)  # a Failed endpoint serves nothing: leave nothing behind
            raise
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
        """Until ``InService``; an endpoint that fails to start raises with SageMaker's ``FailureReason``."""
        from botocore.exceptions import WaiterError

        try:
            self.client.get_waiter("endpoint_in_service").wait(
                EndpointName=name,
                WaiterConfig={"Delay": WAIT_DELAY_SECONDS, "MaxAttempts": WAIT_MAX_ATTEMPTS},
            )
        except WaiterError as exc:
            answer = exc.last_response or {}
            if answer.get("EndpointStatus") != "Failed":
                with aws_errors("models.deploy"):
                    raise
            raise InvalidArgument(
                f"endpoint {name!r} failed to start: {answer.get('FailureReason', '')}",
                provider=self.provider,
                operation="models.deploy",
            ) from exc

    # ------------------------------------------------------------------ variants
    def describe_variants(self, endpoint_name: str) -> list[VariantState]:
        """Every production variant with its current weight and capacity."""
        with aws_errors("models.describe_endpoint"):
            description = self.client.describe_endpoint(EndpointName=endpoint_name)
        live = {v["VariantName"]: v for v in description.get("ProductionVariants", [])}
        return [
            VariantState(
                name=v.name,
                model_name=v.model_name,
                artifact=v.artifact,
                weight=float(live.get(v.name, {}).get("CurrentWeight", v.initial_weight)),
                instance_type=v.instance_type,
                instance_count=int(live.get(v.name, {}).get("CurrentInstanceCount") or v.instance_count),
                serverless=v.serverless,
            )
            for v in self._setup(description)
        ]

    def update_weights(
        self,
        endpoint_name: str,
        weights: Mapping[str, float],
        *,
        instance_counts: Mapping[str, int] | None = None,
    ) -> list[VariantState]:
        """Shift traffic (and optionally capacity) between variants without redeploying."""
        current = {v.name: v for v in self.describe_variants(endpoint_name)}
        counts = dict(instance_counts or {})
        desired = []
        for name in dict.fromkeys([*weights, *counts]):
            entry: dict[str, Any] = {"VariantName": name}
            if name in weights:
                entry["DesiredWeight"] = float(weights[name])
            if name in current and not current[name].serverless:  # unchanged counts are sent as they are
                entry["DesiredInstanceCount"] = int(counts.get(name, current[name].instance_count))
            desired.append(entry)
        with aws_errors("models.update_weights"):
            self.client.update_endpoint_weights_and_capacities(
                EndpointName=endpoint_name, DesiredWeightsAndCapacities=desired
            )
        self._wait_in_service(endpoint_name)
        return self.describe_variants(endpoint_name)

    # ------------------------------------------------------------------ describe / list / delete
    def describe_endpoint(self, name: str) -> Endpoint:
        with aws_errors("models.describe_endpoint"):
            description = self.client.describe_endpoint(EndpointName=name)
        first = self._setup(description)[:1]
        return Endpoint(
            name=description["EndpointName"],
            status=description["EndpointStatus"],
            state=states.endpoint_state(description["EndpointStatus"]),
            provider=self.provider,
            model_name=first[0].model_name if first else "",
            model_artifact=first[0].artifact if first else "",
            instance_type=first[0].instance_type if first else "",
        )

    def list_endpoints(self) -> list[Endpoint]:
        """Every endpoint with its status (names and status only; ``describe_endpoint`` has the model)."""
        endpoints: list[Endpoint] = []
        with aws_errors("models.list_endpoints"):
            for page in self.client.get_paginator("list_endpoints").paginate():
                endpoints += [
                    Endpoint(
                        name=e["EndpointName"],
                        status=e["EndpointStatus"],
                        state=states.endpoint_state(e["EndpointStatus"]),
                        provider=self.provider,
                    )
                    for e in page.get("Endpoints", [])
                ]
        return endpoints

    def delete_endpoint(self, name: str) -> DeletedEndpoint:
        """Delete the endpoint, then its endpoint config and model(s); returns what was deleted."""
        with aws_errors("models.delete_endpoint"):
            config_name = self.client.describe_endpoint(EndpointName=name)["EndpointConfigName"]
        model_names = [variant["ModelName"] for variant in self._config_variants(config_name)]
        with aws_errors("models.delete_endpoint"):
            self.client.delete_endpoint(EndpointName=name)
        self._delete_config_and_models(config_name, model_names)
        self._forget(name)
        return DeletedEndpoint(endpoint=name, endpoint_config=config_name, models=tuple(model_names))

    def _delete_config_and_models(self, config_name: str, model_names: Sequence[str]) -> None:
        try:
            with aws_errors("models.delete_endpoint"):
                self.client.delete_endpoint_config(EndpointConfigName=config_name)
        except NotFound:
            pass
        for model_name in model_names:
            delete_inference_model(self.client, self.storage, self.settings, model_name)

    def _config_variants(self, config_name: str) -> list[dict[str, Any]]:
        """The production variants of an endpoint config ([] when the config is gone)."""
        try:
            with aws_errors("models.describe_endpoint_config"):
                config = self.client.describe_endpoint_config(EndpointConfigName=config_name)
        except NotFound:
            return []
        variants: list[dict[str, Any]] = config.get("ProductionVariants", [])
        return variants

    def _setup(self, description: Mapping[str, Any]) -> tuple[ConfiguredVariant, ...]:
        """The endpoint config's variants and their models' artifacts (immutable, so cached)."""
        key = (
            description["EndpointName"],
            description["EndpointConfigName"],
            str(description.get("CreationTime")),
        )
        with self._lock:
            if key in self._setups:
                return self._setups[key]
        setup = self._describe_setup(description)
        with self._lock:
            self._setups[key] = setup
            self._models_by_variant[key[0]] = {v.name: v.model_name for v in setup}
        return setup

    def _describe_setup(self, description: Mapping[str, Any]) -> tuple[ConfiguredVariant, ...]:
        """DescribeEndpointConfig, then DescribeModel for each variant's artifact."""
        config_name = description["EndpointConfigName"]
        try:
            with aws_errors("models.describe_endpoint"):
                config = self.client.describe_endpoint_config(EndpointConfigName=config_name)
        except NotFound as exc:
            raise NotFound(
                f"endpoint {description['EndpointName']!r} has no endpoint config {config_name!r}; "
                "delete the endpoint and deploy again",
                provider=self.provider,
                operation="models.describe_endpoint",
            ) from exc
        variants = []
        for entry in config.get("ProductionVariants", []):
            with aws_errors("models.describe_model"):
                model = self.client.describe_model(ModelName=entry["ModelName"])
            container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
            variants.append(
                ConfiguredVariant(
                    name=entry["VariantName"],
                    model_name=entry["ModelName"],
                    artifact=str(container.get("ModelDataUrl", "")),
                    initial_weight=float(entry.get("InitialVariantWeight", 1.0)),
                    instance_type=str(entry.get("InstanceType", "")),
                    instance_count=int(entry.get("InitialInstanceCount", 1)),
                    serverless="ServerlessConfig" in entry,
                )
            )
        return tuple(variants)

    def _forget(self, endpoint_name: str) -> None:
        with self._lock:
            self._setups = {k: v for k, v in self._setups.items() if k[0] != endpoint_name}
            self._models_by_variant.pop(endpoint_name, None)

    def _model_name(self, endpoint_name: str, variant: str) -> str:
        """The model behind ``variant``: known from deploy, else read once (DescribeEndpoint + config)."""
        with self._lock:
            known = self._models_by_variant.get(endpoint_name, {}).get(variant)
        if known is not None:
            return known
        with aws_errors("models.describe_endpoint"):
            description = self.client.describe_endpoint(EndpointName=endpoint_name)
        self._forget(endpoint_name)
        models = {v.name: v.model_name for v in self._setup(description)}
        return models.get(variant, "")

    # ------------------------------------------------------------------ predict
    def predict(
        self,
        endpoint_name: str,
        instances: Sequence[Sequence[float]],
        *,
        target_variant: str | None = None,
    ) -> SageMakerPrediction:
        """Predict ``instances`` (rows of features) at ``endpoint_name``, sent as CSV like the SDK does.

        Asks for ``application/json;verbose``, which the deployed handler answers with the predictions and
        the class probabilities; ``model`` is the model behind the variant that answered.
        """
        started = time.perf_counter()
        if len(instances) == 0:
            raise InvalidArgument(
                "no instances to predict; pass at least one row of features",
                provider=self.provider,
                operation="models.predict",
            )
        answer = self.invoke(
            endpoint_name, csv_body(instances), accept=VERBOSE_JSON, target_variant=target_variant
        )
        try:
            values, probabilities = predictions_from_body(answer.body, answer.content_type)
        except ValueError as exc:
            raise CloudError(
                f"endpoint {endpoint_name!r} answered {answer.content_type!r}, which predict cannot read "
                f"({exc}); its container must answer JSON, CSV or NPY. Locally, InvokeEndpoint is served by "
                "the AWS AI emulator: start the whole local cloud (`cloudai local up`) so that "
                "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME points at it.",
                provider=self.provider,
                operation="models.predict",
            ) from exc
        return SageMakerPrediction(
            values=values,
            model=self._model_name(endpoint_name, answer.variant),
            provider=self.provider,
            probabilities=probabilities,
            latency_ms=(time.perf_counter() - started) * 1000,
            variant=answer.variant,
        )

    def invoke(
        self,
        endpoint_name: str,
        body: bytes,
        *,
        content_type: str = "text/csv",
        accept: str = "application/json",
        target_variant: str | None = None,
    ) -> EndpointAnswer:
        """``InvokeEndpoint`` with a raw body; the container's error answers raise with its status."""
        arguments: dict[str, Any] = {
            "EndpointName": endpoint_name,
            "Body": body,
            "ContentType": content_type,
            "Accept": accept,
        }
        if target_variant:
            arguments["TargetVariant"] = target_variant
        with aws_errors("models.predict"):
            try:
                answer = self.runtime_client.invoke_endpoint(**arguments)
            except Exception as exc:  # noqa: BLE001 - a ModelError is mapped here, the rest by aws_errors
                mapped = _model_error(exc)
                if mapped is None:
                    raise
                raise mapped from exc
            output: bytes = answer["Body"].read()
        return EndpointAnswer(
            body=output,
            content_type=str(answer.get("ContentType", "")),
            variant=str(answer.get("InvokedProductionVariant", "")),
        )


def _model_error(exc: BaseException) -> CloudError | None:
    """SageMaker's ``ModelError`` (HTTP 424) as the error class of the container's own status."""
    response = getattr(exc, "response", None) or {}
    if response.get("Error", {}).get("Code") != "ModelError":
        return None
    status = int(response.get("OriginalStatusCode") or 0)
    mapped = error_for_status(status, f"ModelError: {response['Error'].get('Message', '')}")
    mapped.cause = exc
    return mapped
