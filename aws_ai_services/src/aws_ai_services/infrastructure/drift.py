"""Stack drift: CloudFormation's own detection when the service has it, else computed from live resources.

The computed path compares every property the template declares (intrinsics resolved against the stack)
with what the resource's own API reports now, for the resource types of the AI stack: S3 buckets, KMS keys
and aliases, IAM roles, SQS queues and SNS topics. Other types, and properties these readers do not read,
are reported as NOT_CHECKED rather than guessed.
"""

from __future__ import annotations

import ast
import json
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aws_ai_services.infrastructure.intrinsics import StackContext, Unresolvable, resolve
from aws_ai_services.session import aws_client

ResourceDriftStatus = Literal["IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED"]
MISSING = "<absent>"


@dataclass(frozen=True)
class PropertyDrift:
    path: str
    expected: Any
    actual: Any
    kind: Literal["NOT_EQUAL", "REMOVE", "NOT_CHECKED"]


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    resource_type: str
    physical_id: str
    status: ResourceDriftStatus
    differences: tuple[PropertyDrift, ...] = ()


@dataclass(frozen=True)
class StackDriftReport:
    stack_name: str
    method: Literal["cloudformation", "computed"]
    resources: tuple[ResourceDrift, ...]

    @property
    def status(self) -> Literal["IN_SYNC", "DRIFTED"]:
        drifted = any(r.status in ("MODIFIED", "DELETED") for r in self.resources)
        return "DRIFTED" if drifted else "IN_SYNC"

    def resource(self, logical_id: str) -> ResourceDrift:
        return next(r for r in self.resources if r.logical_id == logical_id)

    def drifted_properties(self) -> dict[str, list[str]]:
        return {
            r.logical_id: [d.path for d in r.differences if d.kind != "NOT_CHECKED"]
            for r in self.resources
            if r.status in ("MODIFIED", "DELETED")
        }


class Gone(Exception):
    """The physical resource no longer exists."""


Reader = Callable[[Any, str], dict[str, Any]]  # (settings, physical id) -> live properties in template shape


def compute_drift(
    template: Mapping[str, Any], context: StackContext, settings: Any
) -> tuple[ResourceDrift, ...]:
    results = []
    for logical_id, body in template.get("Resources", {}).items():
        kind = body.get("Type", "")
        physical = context.physical_ids.get(logical_id, "")
        reader = READERS.get(kind)
        if reader is None or not physical:
            results.append(ResourceDrift(logical_id, kind, physical, "NOT_CHECKED"))
            continue
        try:
            live = reader(settings, physical)
        except Gone:
            results.append(ResourceDrift(logical_id, kind, physical, "DELETED"))
            continue
        differences = _compare(body.get("Properties", {}), live, context)
        changed = any(d.kind != "NOT_CHECKED" for d in differences)
        results.append(
            ResourceDrift(logical_id, kind, physical, "MODIFIED" if changed else "IN_SYNC", differences)
        )
    return tuple(results)


def _compare(
    properties: Mapping[str, Any], live: Mapping[str, Any], context: StackContext
) -> tuple[PropertyDrift, ...]:
    differences = []
    for name, declared in properties.items():
        if name not in live:
            differences.append(PropertyDrift(name, declared, None, "NOT_CHECKED"))
            continue
        try:
            expected = _normalise(name, resolve(declared, context))
        except Unresolvable as exc:
            differences.append(PropertyDrift(name, declared, str(exc), "NOT_CHECKED"))
            continue
        actual = _normalise(name, live[name])
        if actual == MISSING:
            differences.append(PropertyDrift(name, expected, None, "REMOVE"))
        elif expected != actual:
            differences.append(PropertyDrift(name, expected, actual, "NOT_EQUAL"))
    return tuple(differences)


def _normalise(name: str, value: Any) -> Any:
    """Make declared and live values comparable: tags as a dict without aws:* keys, policies canonical."""
    if value == MISSING:
        return value
    if name == "Tags":
        pairs = value.items() if isinstance(value, Mapping) else ((t["Key"], t["Value"]) for t in value)
        return {str(k): str(v) for k, v in pairs if not str(k).startswith("aws:")}
    if name in ("AssumeRolePolicyDocument", "KeyPolicy"):
        return canonical_policy(parse_policy(value))
    if name == "Policies":
        return {p["PolicyName"]: canonical_policy(parse_policy(p["PolicyDocument"])) for p in value}
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _normalise(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(name, v) for v in value]
    return value


def parse_policy(value: Any) -> dict[str, Any]:
    """A policy document from a dict, JSON, URL-encoded JSON (IAM) or moto's Python-repr string."""
    if isinstance(value, Mapping):
        return dict(value)
    text = str(value)
    for candidate in (text, urllib.parse.unquote(text)):
        try:
            return dict(json.loads(candidate))
        except ValueError:
            continue
    return dict(ast.literal_eval(text))  # moto 5.2 stores inline role policies as str(dict)


def canonical_policy(document: Mapping[str, Any]) -> dict[str, Any]:
    """Order-insensitive form: one-element lists as scalars, action/resource lists sorted, Sids kept."""

    def scalar_or_sorted(value: Any) -> Any:
        if isinstance(value, list):
            items = sorted(str(v) for v in value)
            return items[0] if len(items) == 1 else items
        return value

    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    canonical = []
    for stmt in statements:
        canonical.append(
            {
                key: scalar_or_sorted(val) if key in ("Action", "Resource", "NotAction") else val
                for key, val in stmt.items()
            }
        )
    return {
        "Version": document.get("Version", ""),
        "Statement": sorted(canonical, key=lambda s: json.dumps(s, sort_keys=True)),
    }


# ----------------------------------------------------------------------------- live readers
def _absent(call: Callable[[], Any], *codes: str) -> Any:
    """The call's result, or MISSING when S3/IAM answer one of ``codes`` (configuration not set)."""
    from botocore.exceptions import ClientError

    try:
        return call()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in codes:
            return MISSING
        if code in (
            "NoSuchBucket",
            "NoSuchEntity",
            "NotFoundException",
            "AWS.SimpleQueueService.NonExistentQueue",
        ):
            raise Gone(code) from exc
        raise


def read_bucket(settings: Any, name: str) -> dict[str, Any]:
    s3 = aws_client("s3", settings)
    _absent(lambda: s3.get_bucket_location(Bucket=name))
    encryption = _absent(
        lambda: s3.get_bucket_encryption(Bucket=name), "ServerSideEncryptionConfigurationNotFoundError"
    )
    versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
    block = _absent(lambda: s3.get_public_access_block(Bucket=name), "NoSuchPublicAccessBlockConfiguration")
    tags = _absent(lambda: s3.get_bucket_tagging(Bucket=name), "NoSuchTagSet")
    rules = [] if encryption == MISSING else encryption["ServerSideEncryptionConfiguration"]["Rules"]
    return {
        "BucketEncryption": MISSING
        if not rules
        else {
            "ServerSideEncryptionConfiguration": [
                {
                    "ServerSideEncryptionByDefault": rule["ApplyServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled", False)),
                }
                for rule in rules
            ]
        },
        "VersioningConfiguration": {"Status": versioning} if versioning else MISSING,
        "PublicAccessBlockConfiguration": MISSING
        if block == MISSING
        else block["PublicAccessBlockConfiguration"],
        "Tags": [] if tags == MISSING else tags["TagSet"],
    }


def read_key(settings: Any, key_id: str) -> dict[str, Any]:
    kms = aws_client("kms", settings)
    metadata = _absent(lambda: kms.describe_key(KeyId=key_id))["KeyMetadata"]
    if metadata.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        raise Gone(metadata["KeyState"])
    return {
        "Description": metadata.get("Description", ""),
        "Enabled": metadata.get("Enabled", True),
        "EnableKeyRotation": kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
        "KeyPolicy": kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"],
    }


def read_alias(settings: Any, alias: str) -> dict[str, Any]:
    kms = aws_client("kms", settings)
    for page in kms.get_paginator("list_aliases").paginate():
        for entry in page["Aliases"]:
            if entry["AliasName"] == alias:
                return {"AliasName": alias, "TargetKeyId": entry.get("TargetKeyId", MISSING)}
    raise Gone(alias)


def read_role(settings: Any, name: str) -> dict[str, Any]:
    iam = aws_client("iam", settings)
    role = _absent(lambda: iam.get_role(RoleName=name))["Role"]
    names = iam.list_role_policies(RoleName=name)["PolicyNames"]
    policies = [
        {
            "PolicyName": p,
            "PolicyDocument": iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"],
        }
        for p in names
    ]
    return {
        "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
        "Description": role.get("Description", ""),
        "Policies": policies,
        "Tags": role.get("Tags", []),
        "MaxSessionDuration": role.get("MaxSessionDuration", 3600),
    }


SQS_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "KmsMasterKeyId",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
)


def read_queue(settings: Any, url: str) -> dict[str, Any]:
    sqs = aws_client("sqs", settings)
    attributes = _absent(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))["Attributes"]
    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    live: dict[str, Any] = {name: attributes.get(name, MISSING) for name in SQS_ATTRIBUTES}
    live["Tags"] = tags
    return live


def read_topic(settings: Any, arn: str) -> dict[str, Any]:
    sns = aws_client("sns", settings)
    attributes = _absent(lambda: sns.get_topic_attributes(TopicArn=arn))["Attributes"]
    tags = sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    return {
        "KmsMasterKeyId": attributes.get("KmsMasterKeyId", MISSING),
        "DisplayName": attributes.get("DisplayName", ""),
        "Tags": tags,
    }


READERS: dict[str, Reader] = {
    "AWS::S3::Bucket": read_bucket,
    "AWS::KMS::Key": read_key,
    "AWS::KMS::Alias": read_alias,
    "AWS::IAM::Role": read_role,
    "AWS::SQS::Queue": read_queue,
    "AWS::SNS::Topic": read_topic,
}


def from_cloudformation(cfn: Any, stack_name: str) -> tuple[ResourceDrift, ...]:
    """CloudFormation's own drift detection (detect_stack_drift, then the per-resource results)."""
    import time

    detection = cfn.detect_stack_drift(StackName=stack_name)["StackDriftDetectionId"]
    while True:
        status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        time.sleep(2)
    results = []
    paginator = cfn.get_paginator("describe_stack_resource_drifts")
    for page in paginator.paginate(StackName=stack_name):
        for item in page["StackResourceDrifts"]:
            differences = tuple(
                PropertyDrift(
                    d["PropertyPath"],
                    d.get("ExpectedValue"),
                    d.get("ActualValue"),
                    "REMOVE" if d["DifferenceType"] == "REMOVE" else "NOT_EQUAL",
                )
                for d in item.get("PropertyDifferences", [])
            )
            status_map = {"IN_SYNC": "IN_SYNC", "MODIFIED": "MODIFIED", "DELETED": "DELETED"}
            results.append(
                ResourceDrift(
                    item["LogicalResourceId"],
                    item["ResourceType"],
                    item.get("PhysicalResourceId", ""),
                    status_map.get(item["StackResourceDriftStatus"], "NOT_CHECKED"),  # type: ignore[arg-type]
                    differences,
                )
            )
    return tuple(results)
