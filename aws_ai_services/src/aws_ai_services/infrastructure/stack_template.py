"""The AI stack as a CloudFormation template: KMS key, artifact bucket, SageMaker role, job queue, topic.

Only resource types that moto's CloudFormation really creates are used (moto/cloudformation/parsing.py
lists them); S3 bucket policies (``AWS::S3::BucketPolicy``) are not among them, so the TLS-only policy is
applied by :func:`aws_ai_services.infrastructure.security.harden_bucket` instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_ai_services.infrastructure.iam_policies import (
    PolicyScope,
    as_cloudformation,
    training_execution_policy,
    trust_policy,
)

TEMPLATE_VERSION = "2010-09-09"
ENVIRONMENTS = ("dev", "staging", "prod")


def _tags(*extra: tuple[str, str]) -> list[dict[str, str] | dict[str, Any]]:
    base: list[dict[str, Any]] = [
        {"Key": "project", "Value": {"Ref": "ProjectName"}},
        {"Key": "environment", "Value": {"Ref": "Environment"}},
        {"Key": "managed-by", "Value": "cloudformation"},
    ]
    return base + [{"Key": key, "Value": value} for key, value in extra]


def _stack_scope() -> PolicyScope:
    """The execution policy's scope, written with substitutions that CloudFormation resolves."""
    return PolicyScope(
        account_id="${AWS::AccountId}",
        region="${AWS::Region}",
        partition="${AWS::Partition}",
        bucket="${ArtifactBucket}",
        key_arn="${ArtifactKey.Arn}",
        name_prefix="${ProjectName}",
    )


def ai_stack_template(
    *,
    description: str = "Cloud AI Platforms: the AWS AI stack (artifacts, keys, roles, queue, notifications)",
    queue_visibility_seconds: int = 300,
    message_retention_seconds: int = 4 * 24 * 3600,
    include_topic: bool = True,
    extra_resources: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The template as a dict (``json.dumps`` it for the API). ``extra_resources`` are merged in."""
    resources: dict[str, Any] = {
        "ArtifactKey": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": {"Fn::Sub": "${ProjectName}-${Environment} artifacts and queue encryption"},
                "EnableKeyRotation": True,
                "KeyPolicy": _key_policy(),
                # no Tags: moto 5.2 fails (HTTP 500) on AWS::KMS::Key Tags; stack tags reach the key on AWS
            },
        },
        "ArtifactKeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {
                "AliasName": {"Fn::Sub": "alias/${ProjectName}-${Environment}-artifacts"},
                "TargetKeyId": {"Ref": "ArtifactKey"},
            },
        },
        "ArtifactBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Fn::GetAtt": ["ArtifactKey", "Arn"]},
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "Tags": _tags(("purpose", "model-artifacts")),
            },
        },
        "SageMakerExecutionRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "Execution role of the stack's SageMaker training jobs (least privilege)",
                "AssumeRolePolicyDocument": trust_policy("sagemaker.amazonaws.com"),
                "Policies": [
                    {
                        "PolicyName": "training-execution",
                        "PolicyDocument": as_cloudformation(training_execution_policy(_stack_scope())),
                    }
                ],
                "Tags": _tags(("purpose", "sagemaker-execution")),
            },
        },
        "JobQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "KmsMasterKeyId": {"Ref": "ArtifactKeyAlias"},
                "VisibilityTimeout": queue_visibility_seconds,
                "MessageRetentionPeriod": message_retention_seconds,
                "Tags": _tags(("purpose", "training-requests")),
            },
        },
    }
    outputs: dict[str, Any] = {
        "ArtifactBucketName": _output(
            "Name of the encrypted, versioned artifact bucket", {"Ref": "ArtifactBucket"}
        ),
        "ArtifactBucketArn": _output("ARN of the artifact bucket", {"Fn::GetAtt": ["ArtifactBucket", "Arn"]}),
        "ArtifactKeyArn": _output("ARN of the KMS key", {"Fn::GetAtt": ["ArtifactKey", "Arn"]}),
        "ExecutionRoleArn": _output(
            "ARN of the SageMaker execution role", {"Fn::GetAtt": ["SageMakerExecutionRole", "Arn"]}
        ),
        "JobQueueUrl": _output("URL of the training request queue", {"Ref": "JobQueue"}),
        "JobQueueArn": _output("ARN of the training request queue", {"Fn::GetAtt": ["JobQueue", "Arn"]}),
    }
    if include_topic:
        resources["NotificationTopic"] = {
            "Type": "AWS::SNS::Topic",
            "Properties": {
                "KmsMasterKeyId": {"Ref": "ArtifactKeyAlias"},
                "Tags": _tags(("purpose", "job-notifications")),
            },
        }
        outputs["NotificationTopicArn"] = _output(
            "ARN of the job notification topic", {"Ref": "NotificationTopic"}
        )
    resources.update({name: dict(body) for name, body in (extra_resources or {}).items()})
    return {
        "AWSTemplateFormatVersion": TEMPLATE_VERSION,
        "Description": description,
        "Parameters": {
            "ProjectName": {
                "Type": "String",
                "Default": "cloudai",
                "AllowedPattern": "^[a-z][a-z0-9-]{1,20}$",
                "Description": "Lower-case prefix of every resource name",
            },
            "Environment": {
                "Type": "String",
                "Default": "dev",
                "AllowedValues": list(ENVIRONMENTS),
                "Description": "Deployment stage",
            },
        },
        "Resources": resources,
        "Outputs": outputs,
    }


def _output(description: str, value: Any) -> dict[str, Any]:
    return {"Description": description, "Value": value}


def _key_policy() -> dict[str, str]:
    """The account administers the key through IAM (the key policy AWS itself creates by default).

    Given as one ``Fn::Sub`` string, which CloudFormation accepts for this JSON property: moto 5.2 stores an
    object-valued KeyPolicy unserialised and then fails (HTTP 500) on every DescribeKey.
    """
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIamPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    return {"Fn::Sub": json.dumps(document)}


def template_body(template: Mapping[str, Any] | str) -> str:
    """The JSON text the CloudFormation API takes."""
    return template if isinstance(template, str) else json.dumps(template, indent=1, sort_keys=False)
