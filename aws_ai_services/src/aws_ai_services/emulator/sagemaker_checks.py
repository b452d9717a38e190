"""Rules SageMaker endpoints and Application Auto Scaling enforce server-side that models cannot express.

(Transform and tuning jobs check their own rules where they run: ``sagemaker_batch``, ``sagemaker_tuning``.)
Each check receives a request's parameters (already valid against botocore's model, see
:mod:`.request_validation`) and the caller's account and region, and raises the ``AwsError`` AWS answers.
moto skips all of these; lesson code no longer fakes them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError

SERVERLESS_MEMORY_SIZES = (1024, 2048, 3072, 4096, 5120, 6144)
INSTANCE_COUNT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
_VARIANT_RESOURCE = re.compile(r"^endpoint/(?P<endpoint>[^/]+)/variant/(?P<variant>[^/]+)$")


@dataclass(frozen=True)
class Scope:
    """Who asked: the account and region whose moto backends hold the resources."""

    account: str
    region: str

    def sagemaker(self) -> Any:
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[self.account][self.region]


Check = Callable[[Mapping[str, Any], Scope], None]


def invalid(message: str) -> AwsError:
    return AwsError("ValidationException", message, status=400)


def constraint(value: Any, path: str, rule: str) -> AwsError:
    """One broken constraint, worded as AWS's model validation words it."""
    return invalid(
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: {rule}"
    )


# ----------------------------------------------------------------------------- endpoints
def create_endpoint_config(params: Mapping[str, Any], scope: Scope) -> None:
    variants = params.get("ProductionVariants") or []
    counts = Counter(variant["VariantName"] for variant in variants)
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        raise invalid(
            f"Each production variant needs its own name; used more than once: {', '.join(duplicated)}"
        )
    for index, variant in enumerate(variants, start=1):
        memory = (variant.get("ServerlessConfig") or {}).get("MemorySizeInMB")
        if memory is not None and memory not in SERVERLESS_MEMORY_SIZES:
            path = f"productionVariants.{index}.member.serverlessConfig.memorySizeInMB"
            raise constraint(memory, path, f"Member must be one of {list(SERVERLESS_MEMORY_SIZES)}")
    _weights_take_traffic({v["VariantName"]: v.get("InitialVariantWeight", 1.0) for v in variants})


def update_endpoint_weights_and_capacities(params: Mapping[str, Any], scope: Scope) -> None:
    backend = scope.sagemaker()
    endpoint = backend.endpoints.get(params["EndpointName"])
    if endpoint is None:
        return  # moto answers "Could not find endpoint", as SageMaker does
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    initial = {
        v["VariantName"]: v.get("InitialVariantWeight", 1.0)
        for v in getattr(config, "production_variants", [])
    }
    weights = {
        v["VariantName"]: v.get("CurrentWeight", initial.get(v["VariantName"], 1.0))
        for v in endpoint.production_variants
    }
    for desired in params.get("DesiredWeightsAndCapacities") or []:
        if desired.get("DesiredWeight") is not None and desired["VariantName"] in weights:
            weights[desired["VariantName"]] = desired["DesiredWeight"]
    _weights_take_traffic(weights)


def _weights_take_traffic(weights: Mapping[str, float]) -> None:
    if weights and sum(float(weight) for weight in weights.values()) <= 0:
        raise invalid(
            "The sum of the variant weights must be greater than 0 so that some variant receives traffic"
        )


# ----------------------------------------------------------------------------- application auto scaling
def register_scalable_target(params: Mapping[str, Any], scope: Scope) -> None:
    low, high = params.get("MinCapacity"), params.get("MaxCapacity")
    if low is not None and high is not None and low > high:
        raise invalid("Minimum capacity cannot be greater than maximum capacity (minCapacity > maxCapacity)")
    if (
        params.get("ServiceNamespace") != "sagemaker"
        or params.get("ScalableDimension") != INSTANCE_COUNT_DIMENSION
    ):
        return
    match = _VARIANT_RESOURCE.match(params["ResourceId"])
    if match is None:
        raise invalid(
            f"Unsupported resource ID {params['ResourceId']!r}: use endpoint/<endpoint>/variant/<variant>"
        )
    endpoint_name, variant_name = match.group("endpoint"), match.group("variant")
    endpoint = scope.sagemaker().endpoints.get(endpoint_name)
    if endpoint is None:
        raise invalid(f"The endpoint {endpoint_name!r} does not exist in this account and region")
    variants = {v["VariantName"]: v for v in endpoint.production_variants}
    if variant_name not in variants:
        raise invalid(
            f"The variant {variant_name!r} is not part of endpoint {endpoint_name!r} "
            f"(variants: {', '.join(variants)})"
        )
    if variants[variant_name].get("CurrentServerlessConfig"):
        raise invalid(
            f"Variant {variant_name!r} is serverless: it scales with MaxConcurrency, not with "
            "DesiredInstanceCount; autoscale an instance-backed variant instead"
        )


def put_scaling_policy(params: Mapping[str, Any], scope: Scope) -> None:
    tracking = params.get("TargetTrackingScalingPolicyConfiguration") or {}
    target = tracking.get("TargetValue")
    if target is not None and not target > 0:
        raise constraint(
            target,
            "targetTrackingScalingPolicyConfiguration.targetValue",
            "Member must have value greater than 0",
        )


CHECKS: dict[tuple[str, str], Sequence[Check]] = {
    ("sagemaker", "CreateEndpointConfig"): (create_endpoint_config,),
    ("sagemaker", "UpdateEndpointWeightsAndCapacities"): (update_endpoint_weights_and_capacities,),
    ("application-autoscaling", "RegisterScalableTarget"): (register_scalable_target,),
    ("application-autoscaling", "PutScalingPolicy"): (put_scaling_policy,),
}


def run_checks(service: str, operation: str, params: Mapping[str, Any], scope: Scope) -> None:
    for check in CHECKS.get((service, operation), ()):
        check(params, scope)
