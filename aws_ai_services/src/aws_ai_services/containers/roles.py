"""IAM roles and instance profiles for ECS tasks, EKS clusters and nodes, and Batch: created, then deleted."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import NotFound

from aws_ai_services.errors import aws_errors


@dataclass(frozen=True)
class RoleInfo:
    """A role; ``missing_managed_policies`` lists AWS-managed policies the account did not have.

    A real account has every AWS-managed policy, and so does the local cloud (its ``iam-managed-policies``
    patch); an account or partition lacking one answers NoSuchEntity, and the role is still created with
    the gap reported here.
    """

    name: str
    arn: str
    missing_managed_policies: tuple[str, ...] = ()


def trust_policy(service: str) -> str:
    """A trust policy letting ``service`` ("ecs-tasks.amazonaws.com", ...) assume the role."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def ensure_role(
    iam: Any,
    name: str,
    service: str,
    *,
    inline_policies: Mapping[str, Mapping[str, Any]] | None = None,
    managed_policy_arns: Sequence[str] = (),
) -> RoleInfo:
    """Role ``name`` trusting ``service`` with these policies; an existing role is updated in place."""
    try:
        with aws_errors("iam.get_role"):
            arn = str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except NotFound:
        with aws_errors("iam.create_role"):
            arn = str(
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(service))["Role"]["Arn"]
            )
    with aws_errors("iam.put_role_policy"):
        for policy_name, document in (inline_policies or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    missing = []
    for policy_arn in managed_policy_arns:
        try:
            with aws_errors("iam.attach_role_policy"):
                iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        except NotFound:
            missing.append(policy_arn)
    return RoleInfo(name, arn, tuple(missing))


def delete_role(iam: Any, name: str) -> bool:
    """Detach and delete the role's policies, remove it from instance profiles, delete it; False if absent."""
    try:
        with aws_errors("iam.delete_role"):
            for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
            for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
            for profile in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]:
                iam.remove_role_from_instance_profile(
                    InstanceProfileName=profile["InstanceProfileName"], RoleName=name
                )
            iam.delete_role(RoleName=name)
    except NotFound:
        return False
    return True


def ensure_instance_profile(iam: Any, name: str, role_name: str) -> str:
    """The ARN of instance profile ``name`` holding ``role_name`` (EC2 instances take roles this way)."""
    try:
        with aws_errors("iam.get_instance_profile"):
            profile = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    except NotFound:
        with aws_errors("iam.create_instance_profile"):
            profile = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    if role_name not in [role["RoleName"] for role in profile.get("Roles", [])]:
        with aws_errors("iam.add_role_to_instance_profile"):
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role_name)
    return str(profile["Arn"])


def delete_instance_profile(iam: Any, name: str) -> bool:
    try:
        with aws_errors("iam.delete_instance_profile"):
            for role in iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"].get(
                "Roles", []
            ):
                iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
            iam.delete_instance_profile(InstanceProfileName=name)
    except NotFound:
        return False
    return True
