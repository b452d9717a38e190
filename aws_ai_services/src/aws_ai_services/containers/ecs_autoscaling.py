"""Target-tracking autoscaling of an ECS service on its average CPU (Application Auto Scaling)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound

from aws_ai_services.errors import aws_errors

SCALABLE_DIMENSION = "ecs:service:DesiredCount"
CPU_METRIC = "ECSServiceAverageCPUUtilization"


@dataclass(frozen=True)
class Autoscaling:
    resource_id: str
    min_tasks: int
    max_tasks: int
    target_cpu_percent: float
    policy_name: str
    policy_arn: str
    alarms: tuple[str, ...]


def enable_autoscaling(
    client: Any,
    cluster: str,
    service: str,
    *,
    min_tasks: int = 1,
    max_tasks: int = 4,
    target_cpu_percent: float = 60.0,
    scale_out_cooldown: int = 60,
    scale_in_cooldown: int = 300,
) -> Autoscaling:
    """Keep the service's average CPU near ``target_cpu_percent`` with min..max tasks.

    Application Auto Scaling creates the two CloudWatch alarms (high and low) that drive the policy.
    Scale out fast, scale in slowly: a model server that flaps reloads its model each time.
    """
    if not 1 <= min_tasks <= max_tasks:
        raise InvalidArgument(f"need 1 <= min_tasks <= max_tasks, got {min_tasks}..{max_tasks}")
    if not 0 < target_cpu_percent <= 100:
        raise InvalidArgument(f"target_cpu_percent must be in (0, 100], got {target_cpu_percent}")
    resource_id = f"service/{cluster}/{service}"
    policy_name = f"{service}-cpu-target"
    with aws_errors("application-autoscaling.register_scalable_target"):
        client.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource_id,
            ScalableDimension=SCALABLE_DIMENSION,
            MinCapacity=min_tasks,
            MaxCapacity=max_tasks,
        )
    with aws_errors("application-autoscaling.put_scaling_policy"):
        policy = client.put_scaling_policy(
            PolicyName=policy_name,
            ServiceNamespace="ecs",
            ResourceId=resource_id,
            ScalableDimension=SCALABLE_DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": float(target_cpu_percent),
                "PredefinedMetricSpecification": {"PredefinedMetricType": CPU_METRIC},
                "ScaleOutCooldown": scale_out_cooldown,
                "ScaleInCooldown": scale_in_cooldown,
            },
        )
    return Autoscaling(
        resource_id=resource_id,
        min_tasks=min_tasks,
        max_tasks=max_tasks,
        target_cpu_percent=float(target_cpu_percent),
        policy_name=policy_name,
        policy_arn=policy["PolicyARN"],
        alarms=tuple(a["AlarmName"] for a in policy.get("Alarms", [])),
    )


def delete_autoscaling(client: Any, scaling: Autoscaling) -> list[str]:
    """Delete the policy (its alarms go with it) and the scalable target; returns what was deleted."""
    deleted = []
    common = {
        "ServiceNamespace": "ecs",
        "ResourceId": scaling.resource_id,
        "ScalableDimension": SCALABLE_DIMENSION,
    }
    try:
        with aws_errors("application-autoscaling.delete_scaling_policy"):
            client.delete_scaling_policy(PolicyName=scaling.policy_name, **common)
        deleted.append(f"scaling policy {scaling.policy_name} (and its alarms)")
    except NotFound:
        pass
    try:
        with aws_errors("application-autoscaling.deregister_scalable_target"):
            client.deregister_scalable_target(**common)
        deleted.append(f"scalable target {scaling.resource_id}")
    except NotFound:
        pass
    return deleted
