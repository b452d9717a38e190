"""Deregistering a scalable target deletes its policies and alarms; policies match ResourceId exactly."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@pytest.fixture
def variants(boto_client: Any, iris_endpoint: Any) -> tuple[str, str]:
    """An endpoint with variants ``All`` and ``AllTraffic`` (one's id is a prefix of the other's), both
    registered as scalable targets with plain boto3; their resource ids."""
    name = iris_endpoint("targets", ("All", "AllTraffic"))
    autoscaling = boto_client("application-autoscaling")
    ids = (f"endpoint/{name}/variant/All", f"endpoint/{name}/variant/AllTraffic")
    for resource_id in ids:
        autoscaling.register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId=resource_id,
            ScalableDimension=DIMENSION,
            MinCapacity=1,
            MaxCapacity=4,
        )
        autoscaling.put_scaling_policy(
            PolicyName="invocations",
            ServiceNamespace="sagemaker",
            ResourceId=resource_id,
            ScalableDimension=DIMENSION,
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 100.0,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
            },
        )
    return ids


def _policies(autoscaling: Any, resource_id: str, **extra: Any) -> list[str]:
    found = autoscaling.describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=resource_id, **extra
    )
    return [p["ResourceId"] for p in found["ScalingPolicies"]]


def _alarms(cloudwatch: Any, resource_id: str) -> list[str]:
    found = cloudwatch.describe_alarms(AlarmNamePrefix=f"TargetTracking-{resource_id}-")["MetricAlarms"]
    return [a["AlarmName"] for a in found]


def test_policies_are_filtered_by_the_exact_resource_id(boto_client: Any, variants: tuple[str, str]) -> None:
    autoscaling = boto_client("application-autoscaling")
    short, long = variants
    assert _policies(autoscaling, long) == [long]  # not also the policy of .../variant/All
    assert _policies(autoscaling, short) == [short]
    assert _policies(autoscaling, long, ScalableDimension=DIMENSION) == [long]
    assert sorted(
        p["ResourceId"]
        for p in autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    ) == sorted(variants)


def test_deregistering_a_target_deletes_its_policies_and_their_alarms(
    boto_client: Any, variants: tuple[str, str]
) -> None:
    autoscaling, cloudwatch = boto_client("application-autoscaling"), boto_client("cloudwatch")
    short, long = variants
    assert len(_alarms(cloudwatch, long)) == 2
    autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker",
        ScheduledActionName="nightly",
        ResourceId=long,
        ScalableDimension=DIMENSION,
        Schedule="cron(0 22 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 1},
    )
    autoscaling.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=long, ScalableDimension=DIMENSION
    )
    assert _policies(autoscaling, long) == [] and _alarms(cloudwatch, long) == []
    actions = autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=long)
    assert actions["ScheduledActions"] == []
    # the other target keeps its policy and alarms
    assert _policies(autoscaling, short) == [short] and len(_alarms(cloudwatch, short)) == 2
    # registered again, the target starts without policies
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=long,
        ScalableDimension=DIMENSION,
        MinCapacity=1,
        MaxCapacity=2,
    )
    assert _policies(autoscaling, long) == []


def test_deregistering_an_unknown_target_is_object_not_found(
    boto_client: Any, variants: tuple[str, str]
) -> None:
    autoscaling = boto_client("application-autoscaling")
    autoscaling.deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=variants[1], ScalableDimension=DIMENSION
    )
    with pytest.raises(ClientError) as again:
        autoscaling.deregister_scalable_target(
            ServiceNamespace="sagemaker", ResourceId=variants[1], ScalableDimension=DIMENSION
        )
    assert again.value.response["Error"]["Code"] == "ObjectNotFoundException"
