"""moto patch: Application Auto Scaling deregisters a target with its policies and filters policies exactly.

As AWS documents and does, ``DeregisterScalableTarget`` deletes the scaling policies of that target (with
the CloudWatch alarms target tracking created for them) and its scheduled actions; moto left them behind,
so a re-registered target came back with its old policies and their alarms kept firing; an unknown target
is ``ObjectNotFoundException`` (moto: ``ValidationException``). And
``DescribeScalingPolicies`` matches ``ResourceId`` and ``ScalableDimension`` exactly: moto tested them as
substrings, so ``endpoint/a/variant/AllTraffic`` also listed the policies of ``endpoint/a/variant/All``.
Wired by the ``cloudai.moto_patches`` entry point (idempotent).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

DEFAULT_MAX_RESULTS = 100


def install() -> None:
    when_imported("moto.applicationautoscaling.models", _patch_backend)


def _patch_backend(module: ModuleType) -> None:
    backend_class = module.ApplicationAutoscalingBackend
    patch_method(backend_class, "deregister_scalable_target", _deregistering_policies)
    patch_method(backend_class, "describe_scaling_policies", lambda original: describe_scaling_policies)


def _deregistering_policies(original: Any) -> Any:
    def deregister_scalable_target(self: Any, namespace: str, r_id: str, dimension: str) -> None:
        if not self._scalable_target_exists(r_id, dimension):
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError(  # AWS's code for a target that does not exist (moto: ValidationException)
                "ObjectNotFoundException",
                f"No scalable target registered for service namespace: {namespace}, resource ID: {r_id}, "
                f"scalable dimension: {dimension}",
            )
        original(self, namespace, r_id, dimension)
        target = (namespace, r_id, dimension)
        for key, policy in list(self.policies.items()):
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == target:
                policy.delete_alarms(self.account_id, self.region_name)
                del self.policies[key]
        self.scheduled_actions = [
            action
            for action in self.scheduled_actions
            if (action.service_namespace, action.resource_id, action.scalable_dimension) != target
        ]

    return deregister_scalable_target


def describe_scaling_policies(
    self: Any,
    service_namespace: str,
    resource_id: str,
    scalable_dimension: str,
    max_results: int | None,
    next_token: str,
) -> tuple[str | None, list[Any]]:
    """moto's ``describe_scaling_policies`` with exact ``ResourceId``/``ScalableDimension`` matches."""
    policies = [
        policy
        for policy in self.policies.values()
        if policy.service_namespace == service_namespace
        and (not resource_id or policy.resource_id == resource_id)
        and (not scalable_dimension or policy.scalable_dimension == scalable_dimension)
    ]
    start = int(next_token) if next_token else 0
    end = start + (max_results or DEFAULT_MAX_RESULTS)
    return (str(end) if end < len(policies) else None), policies[start:end]
