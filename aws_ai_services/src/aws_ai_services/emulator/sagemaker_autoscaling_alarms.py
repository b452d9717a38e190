"""The CloudWatch alarms target tracking on a SageMaker endpoint variant creates, as AWS creates them.

Application Auto Scaling implements target tracking with two alarms it owns: ``AlarmHigh`` (metric above the
target for 3 one-minute periods: scale out) and ``AlarmLow`` (below 90 % of the target for 15 periods: scale
in; none with ``DisableScaleIn``), named ``TargetTracking-<resource id>-AlarmHigh-<uuid>``; updating the
policy replaces them and deleting it deletes them. moto creates them for ECS and DynamoDB only, so a
SageMaker policy had none. Nothing evaluates them locally (no instance count ever changes).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: the predefined metric of SageMaker endpoint variants and the CloudWatch metric behind it
PREDEFINED = {"SageMakerVariantInvocationsPerInstance": ("AWS/SageMaker", "InvocationsPerInstance", "Sum")}
HIGH_PERIODS, LOW_PERIODS, LOW_FACTOR = 3, 15, 0.9


def install() -> None:
    when_imported("moto.applicationautoscaling.models", _patch_policies)


def _patch_policies(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def create_alarms(self: Any) -> None:
            original(self)
            if self.policy_type == "TargetTrackingScaling" and self.service_namespace == "sagemaker":
                self.alarms.extend(_sagemaker_alarms(self))

        return create_alarms

    patch_method(module.FakeApplicationAutoscalingPolicy, "create_alarms", make)


def _metric(config: dict[str, Any], resource_id: str) -> tuple[str, str, str, list[dict[str, str]]] | None:
    """Namespace, metric name, statistic and dimensions the policy tracks (None: one we do not model)."""
    predefined = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    if predefined in PREDEFINED:
        parts = resource_id.split("/")  # endpoint/<endpoint>/variant/<variant>
        if len(parts) != 4:
            return None
        namespace, name, statistic = PREDEFINED[predefined]
        dimensions = [{"Name": "EndpointName", "Value": parts[1]}, {"Name": "VariantName", "Value": parts[3]}]
        return namespace, name, statistic, dimensions
    custom = config.get("CustomizedMetricSpecification") or {}
    if custom.get("MetricName") and custom.get("Namespace"):
        return (
            custom["Namespace"],
            custom["MetricName"],
            custom.get("Statistic", "Average"),
            custom.get("Dimensions", []),
        )
    return None


def _sagemaker_alarms(policy: Any) -> list[Any]:
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.moto_api._internal import mock_random

    config = policy.target_tracking_scaling_policy_configuration or {}
    metric = _metric(config, policy.resource_id)
    target = config.get("TargetValue")
    if metric is None or target is None:
        return []
    cloudwatch = cloudwatch_backends[policy.account_id][policy.region_name]
    # an update replaces the policy object: drop the alarms the previous version of this policy created
    owner = (
        f"resource/{policy.service_namespace}/{policy.resource_id}:policyName/{policy.policy_name}:createdBy/"
    )
    stale = [name for name, alarm in cloudwatch.alarms.items() if owner in (alarm.description or "")]
    if stale:
        cloudwatch.delete_alarms(stale)
    namespace, metric_name, statistic, dimensions = metric
    action = f"{policy.policy_arn}:createdBy/{mock_random.uuid4()}"
    wanted = [("AlarmHigh", "GreaterThanThreshold", HIGH_PERIODS, float(target))]
    if not config.get("DisableScaleIn"):
        wanted.append(("AlarmLow", "LessThanThreshold", LOW_PERIODS, float(target) * LOW_FACTOR))
    return [
        cloudwatch.put_metric_alarm(
            name=f"TargetTracking-{policy.resource_id}-{kind}-{mock_random.uuid4()}",
            namespace=namespace,
            metric_name=metric_name,
            metric_data_queries=[],
            comparison_operator=comparison,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            period=60,
            threshold=threshold,
            statistic=statistic,
            description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {action}.",
            dimensions=dimensions,
            alarm_actions=[action],
        )
        for kind, comparison, periods, threshold in wanted
    ]
