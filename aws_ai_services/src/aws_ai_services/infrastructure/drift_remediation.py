"""Bring drifted resources back to their template: re-apply each drifted property through the resource's API.

CloudFormation itself has no "undo drift" button (you update the stack or fix by hand); this applies the
template's value for the properties drift.py reads, and leaves everything else to a stack update.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_ai_services.errors import aws_errors
from aws_ai_services.infrastructure.drift import ResourceDrift, StackDriftReport
from aws_ai_services.infrastructure.intrinsics import StackContext, resolve
from aws_ai_services.session import aws_client

Setter = Callable[[Any, str, Any], None]  # (settings, physical id, resolved template value)


@dataclass(frozen=True)
class Remediation:
    logical_id: str
    property_path: str
    applied: bool
    detail: str


def _tag_list(value: Any) -> list[dict[str, str]]:
    return [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in value]


def _bucket(operation: str, argument: str, shape: Callable[[Any], Any] = lambda v: v) -> Setter:
    def apply(settings: Any, bucket: str, value: Any) -> None:
        getattr(aws_client("s3", settings), operation)(Bucket=bucket, **{argument: shape(value)})

    return apply


def _bucket_encryption(value: Any) -> dict[str, Any]:
    rules = [
        {
            "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
            "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled", False)),
        }
        for rule in value["ServerSideEncryptionConfiguration"]
    ]
    return {"Rules": rules}


def _queue_attribute(name: str) -> Setter:
    def apply(settings: Any, url: str, value: Any) -> None:
        aws_client("sqs", settings).set_queue_attributes(QueueUrl=url, Attributes={name: str(value)})

    return apply


def _queue_tags(settings: Any, url: str, value: Any) -> None:
    aws_client("sqs", settings).tag_queue(QueueUrl=url, Tags={t["Key"]: t["Value"] for t in _tag_list(value)})


def _topic_tags(settings: Any, arn: str, value: Any) -> None:
    aws_client("sns", settings).tag_resource(ResourceArn=arn, Tags=_tag_list(value))


def _topic_attribute(name: str) -> Setter:
    def apply(settings: Any, arn: str, value: Any) -> None:
        aws_client("sns", settings).set_topic_attributes(
            TopicArn=arn, AttributeName=name, AttributeValue=str(value)
        )

    return apply


def _key_rotation(settings: Any, key: str, value: Any) -> None:
    kms = aws_client("kms", settings)
    (kms.enable_key_rotation if value else kms.disable_key_rotation)(KeyId=key)


def _key_description(settings: Any, key: str, value: Any) -> None:
    aws_client("kms", settings).update_key_description(KeyId=key, Description=str(value))


def _role_policies(settings: Any, role: str, value: Any) -> None:
    iam = aws_client("iam", settings)
    for entry in value:
        iam.put_role_policy(
            RoleName=role, PolicyName=entry["PolicyName"], PolicyDocument=json.dumps(entry["PolicyDocument"])
        )


def _role_trust(settings: Any, role: str, value: Any) -> None:
    aws_client("iam", settings).update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(value))


def _role_tags(settings: Any, role: str, value: Any) -> None:
    aws_client("iam", settings).tag_role(RoleName=role, Tags=_tag_list(value))


SETTERS: dict[str, dict[str, Setter]] = {
    "AWS::S3::Bucket": {
        "BucketEncryption": _bucket(
            "put_bucket_encryption", "ServerSideEncryptionConfiguration", _bucket_encryption
        ),
        "VersioningConfiguration": _bucket("put_bucket_versioning", "VersioningConfiguration"),
        "PublicAccessBlockConfiguration": _bucket(
            "put_public_access_block", "PublicAccessBlockConfiguration"
        ),
        "Tags": _bucket("put_bucket_tagging", "Tagging", lambda v: {"TagSet": _tag_list(v)}),
    },
    "AWS::SQS::Queue": {
        **{
            name: _queue_attribute(name)
            for name in (
                "VisibilityTimeout",
                "MessageRetentionPeriod",
                "KmsMasterKeyId",
                "DelaySeconds",
                "MaximumMessageSize",
                "ReceiveMessageWaitTimeSeconds",
            )
        },
        "Tags": _queue_tags,
    },
    "AWS::SNS::Topic": {
        "Tags": _topic_tags,
        "KmsMasterKeyId": _topic_attribute("KmsMasterKeyId"),
        "DisplayName": _topic_attribute("DisplayName"),
    },
    "AWS::KMS::Key": {"EnableKeyRotation": _key_rotation, "Description": _key_description},
    "AWS::IAM::Role": {
        "Policies": _role_policies,
        "AssumeRolePolicyDocument": _role_trust,
        "Tags": _role_tags,
    },
}


def remediate(
    report: StackDriftReport, template: dict[str, Any], context: StackContext, settings: Any
) -> list[Remediation]:
    """Re-apply the template value of every drifted property that has a setter; report each one."""
    done = []
    for resource in report.resources:
        if resource.status != "MODIFIED":
            continue
        done.extend(
            _remediate_resource(resource, template["Resources"][resource.logical_id], context, settings)
        )
    return done


def _remediate_resource(
    resource: ResourceDrift, body: dict[str, Any], context: StackContext, settings: Any
) -> list[Remediation]:
    setters = SETTERS.get(resource.resource_type, {})
    results = []
    for difference in resource.differences:
        if difference.kind == "NOT_CHECKED":
            continue
        name = difference.path.split(".")[0].split("/")[-1]
        setter = setters.get(name)
        if setter is None:
            detail = f"no setter for {resource.resource_type}.{name}: update the stack to restore it"
            results.append(Remediation(resource.logical_id, name, False, detail))
            continue
        with aws_errors("cloudformation.remediate_drift"):
            setter(settings, resource.physical_id, resolve(body["Properties"][name], context))
        results.append(Remediation(resource.logical_id, name, True, f"re-applied {name} from the template"))
    return results
