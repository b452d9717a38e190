"""Target tracking on a SageMaker endpoint variant creates, replaces and deletes its two CloudWatch alarms."""

from __future__ import annotations

from typing import Any

import pytest

DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@pytest.fixture
def variant(boto_client, iris_endpoint) -> str:  # type: ignore[no-untyped-def]
    """An endpoint with one variant (plain boto3), registered as a scalable target; its resource id."""
    name = iris_endpoint("alarms")
    resource_id = f"endpoint/{name}/variant/AllTraffic"
    boto_client("application-autoscaling").register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        MinCapacity=1,
        MaxCapacity=4,
    )
    return resource_id


def _policy(autoscaling: Any, resource_id: str, target: float, **extra: Any) -> dict[str, Any]:
    return autoscaling.put_scaling_policy(  # type: ignore[no-any-return]
        PolicyName="invocations",
        ServiceNamespace="sagemaker",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": target,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            **extra,
        },
    )


def _alarms(cloudwatch: Any, resource_id: str) -> dict[str, dict[str, Any]]:
    found = cloudwatch.describe_alarms(AlarmNamePrefix=f"TargetTracking-{resource_id}-")["MetricAlarms"]
    return {alarm["AlarmName"].split("-")[-6]: alarm for alarm in found}  # AlarmHigh / AlarmLow


def test_target_tracking_creates_the_high_and_low_alarms_aws_creates(boto_client, variant: str) -> None:  # type: ignore[no-untyped-def]
    autoscaling, cloudwatch = boto_client("application-autoscaling"), boto_client("cloudwatch")
    answer = _policy(autoscaling, variant, 120.0)
    alarms = _alarms(cloudwatch, variant)
    assert sorted(alarms) == ["AlarmHigh", "AlarmLow"]
    assert sorted(a["AlarmName"] for a in answer["Alarms"]) == sorted(a["AlarmName"] for a in alarms.values())
    endpoint = variant.split("/")[1]
    for kind, operator, periods, threshold in (
        ("AlarmHigh", "GreaterThanThreshold", 3, 120.0),
        ("AlarmLow", "LessThanThreshold", 15, 108.0),
    ):
        alarm = alarms[kind]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
            "AWS/SageMaker",
            "InvocationsPerInstance",
            "Sum",
        )
        assert sorted((d["Name"], d["Value"]) for d in alarm["Dimensions"]) == [
            ("EndpointName", endpoint),
            ("VariantName", "AllTraffic"),
        ]
        assert (alarm["ComparisonOperator"], alarm["EvaluationPeriods"], alarm["Period"]) == (
            operator,
            periods,
            60,
        )
        assert alarm["Threshold"] == pytest.approx(threshold)
        assert alarm["AlarmActions"][0].startswith(answer["PolicyARN"])
    described = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=variant)
    assert len(described["ScalingPolicies"][0]["Alarms"]) == 2


def test_updating_replaces_the_alarms_and_deleting_removes_them(boto_client, variant: str) -> None:  # type: ignore[no-untyped-def]
    autoscaling, cloudwatch = boto_client("application-autoscaling"), boto_client("cloudwatch")
    _policy(autoscaling, variant, 120.0)
    _policy(autoscaling, variant, 300.0, DisableScaleIn=True)
    alarms = _alarms(cloudwatch, variant)
    assert sorted(alarms) == ["AlarmHigh"]  # no scale-in alarm when scale-in is disabled
    assert alarms["AlarmHigh"]["Threshold"] == pytest.approx(300.0)
    autoscaling.delete_scaling_policy(
        PolicyName="invocations",
        ServiceNamespace="sagemaker",
        ResourceId=variant,
        ScalableDimension=DIMENSION,
    )
    assert _alarms(cloudwatch, variant) == {}
