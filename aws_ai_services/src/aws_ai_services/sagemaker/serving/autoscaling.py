"""Autoscaling of a production variant with Application Auto Scaling (target tracking on invocations).

``enable`` registers the variant's ``sagemaker:variant:DesiredInstanceCount`` as a scalable target
(``endpoint/<endpoint>/variant/<variant>``) and puts a target-tracking policy on the predefined metric
``SageMakerVariantInvocationsPerInstance``: Application Auto Scaling adds instances when the average
invocations per instance per minute exceeds the target and removes them when it falls below.
Application Auto Scaling refuses a variant that does not exist or is serverless, and a minimum above the
maximum (locally, server-side as well). moto stores targets and policies but never scales; AWS does.
"""

from __future__ import annotations

from dataclasses import dataclass

from multi_cloud.core.errors import NotFound
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"


def resource_id(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


@dataclass(frozen=True)
class VariantAutoscaling:
    """A variant's scalable target and its target-tracking policy, as Application Auto Scaling stores them."""

    resource_id: str
    min_capacity: int
    max_capacity: int
    policy_name: str = ""
    policy_arn: str = ""
    target_invocations_per_instance: float = 0.0
    scale_in_cooldown: int = 0
    scale_out_cooldown: int = 0


class EndpointAutoscaling:
    """Enable, read back and remove autoscaling for endpoint variants."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("application-autoscaling")

    def enable(
        self,
        endpoint: str,
        variant: str,
        *,
        min_capacity: int = 1,
        max_capacity: int = 4,
        invocations_per_instance: float = 70.0,
        scale_in_cooldown: int = 300,
        scale_out_cooldown: int = 60,
    ) -> VariantAutoscaling:
        """Scale ``variant`` between ``min_capacity`` and ``max_capacity`` instances on invocation rate."""
        resource = resource_id(endpoint, variant)
        policy = f"{endpoint}-{variant}-invocations"
        with aws_errors("models.autoscaling"):
            self.client.register_scalable_target(
                ServiceNamespace=NAMESPACE,
                ResourceId=resource,
                ScalableDimension=DIMENSION,
                MinCapacity=min_capacity,
                MaxCapacity=max_capacity,
            )
            self.client.put_scaling_policy(
                PolicyName=policy,
                ServiceNamespace=NAMESPACE,
                ResourceId=resource,
                ScalableDimension=DIMENSION,
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": float(invocations_per_instance),
                    "PredefinedMetricSpecification": {"PredefinedMetricType": METRIC},
                    "ScaleInCooldown": scale_in_cooldown,
                    "ScaleOutCooldown": scale_out_cooldown,
                },
            )
        found = self.describe(endpoint, variant)
        if found is None:  # pragma: no cover - the service just stored it
            raise NotFound(f"autoscaling for {resource} was not stored", provider="aws")
        return found

    def describe(self, endpoint: str, variant: str) -> VariantAutoscaling | None:
        """What Application Auto Scaling holds for the variant (None when it is not autoscaled)."""
        resource = resource_id(endpoint, variant)
        with aws_errors("models.autoscaling"):
            targets = self.client.describe_scalable_targets(
                ServiceNamespace=NAMESPACE, ResourceIds=[resource], ScalableDimension=DIMENSION
            ).get("ScalableTargets", [])
            policies = self.client.describe_scaling_policies(
                ServiceNamespace=NAMESPACE, ResourceId=resource, ScalableDimension=DIMENSION
            ).get("ScalingPolicies", [])
        if not targets:
            return None
        target = targets[0]
        tracking = next((p for p in policies if p.get("PolicyType") == "TargetTrackingScaling"), None)
        settings = (tracking or {}).get("TargetTrackingScalingPolicyConfiguration", {})
        return VariantAutoscaling(
            resource_id=resource,
            min_capacity=int(target["MinCapacity"]),
            max_capacity=int(target["MaxCapacity"]),
            policy_name=(tracking or {}).get("PolicyName", ""),
            policy_arn=(tracking or {}).get("PolicyARN", ""),
            target_invocations_per_instance=float(settings.get("TargetValue", 0.0)),
            scale_in_cooldown=int(settings.get("ScaleInCooldown", 0)),
            scale_out_cooldown=int(settings.get("ScaleOutCooldown", 0)),
        )

    def disable(self, endpoint: str, variant: str) -> bool:
        """Delete the variant's policies and deregister its target; False when it was not autoscaled."""
        found = self.describe(endpoint, variant)
        if found is None:
            return False
        with aws_errors("models.autoscaling"):
            if found.policy_name:
                self.client.delete_scaling_policy(
                    PolicyName=found.policy_name,
                    ServiceNamespace=NAMESPACE,
                    ResourceId=found.resource_id,
                    ScalableDimension=DIMENSION,
                )
            self.client.deregister_scalable_target(
                ServiceNamespace=NAMESPACE, ResourceId=found.resource_id, ScalableDimension=DIMENSION
            )
        return True
