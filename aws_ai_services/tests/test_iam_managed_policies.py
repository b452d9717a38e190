"""AWS managed IAM policies exist locally as in every AWS account: get, attach, list, detach (plain boto3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
OTHERS = (
    "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
    "arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture
def iam(boto_client) -> Any:  # type: ignore[no-untyped-def]
    client = boto_client("iam")
    client.create_role(RoleName="lambda-basic", AssumeRolePolicyDocument=json.dumps(TRUST))
    return client


def test_the_lambda_guide_attaches_the_basic_execution_role(iam: Any) -> None:
    iam.attach_role_policy(RoleName="lambda-basic", PolicyArn=LAMBDA_BASIC)
    attached = iam.list_attached_role_policies(RoleName="lambda-basic")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": LAMBDA_BASIC}]
    policy = iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]
    assert policy["Path"] == "/service-role/" and policy["AttachmentCount"] == 1
    version = iam.get_policy_version(PolicyArn=LAMBDA_BASIC, VersionId=policy["DefaultVersionId"])
    statements = version["PolicyVersion"]["Document"]["Statement"]
    assert any("logs:PutLogEvents" in s["Action"] for s in statements)
    iam.detach_role_policy(RoleName="lambda-basic", PolicyArn=LAMBDA_BASIC)
    assert iam.list_attached_role_policies(RoleName="lambda-basic")["AttachedPolicies"] == []
    iam.delete_role(RoleName="lambda-basic")


@pytest.mark.parametrize("arn", OTHERS)
def test_other_managed_policies_attach(iam: Any, arn: str) -> None:
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    iam.attach_role_policy(RoleName="lambda-basic", PolicyArn=arn)
    assert [
        p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="lambda-basic")["AttachedPolicies"]
    ] == [arn]


def test_an_unknown_aws_policy_is_no_such_entity(iam: Any) -> None:
    for arn in (
        "arn:aws:iam::aws:policy/NoSuchManagedPolicy",
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",  # the right name under the wrong path
    ):
        with pytest.raises(ClientError) as attach:
            iam.attach_role_policy(RoleName="lambda-basic", PolicyArn=arn)
        assert attach.value.response["Error"]["Code"] == "NoSuchEntity"
        with pytest.raises(ClientError) as get:
            iam.get_policy(PolicyArn=arn)
        assert get.value.response["Error"]["Code"] == "NoSuchEntity"


def test_detaching_a_policy_never_attached_is_no_such_entity(iam: Any) -> None:
    with pytest.raises(ClientError) as detach:
        iam.detach_role_policy(RoleName="lambda-basic", PolicyArn=LAMBDA_BASIC)
    assert detach.value.response["Error"]["Code"] == "NoSuchEntity"
