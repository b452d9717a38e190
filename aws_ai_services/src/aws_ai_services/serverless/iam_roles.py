"""Execution roles for serverless services: found by name, or created with the service's trust policy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from multi_cloud.core.errors import NotFound

from aws_ai_services.errors import aws_errors

#: what a Lambda function needs to write its logs (AWSLambdaBasicExecutionRole's permissions)
LAMBDA_LOGS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def trust_policy(service: str) -> str:
    """A trust policy letting ``service`` (e.g. "lambda.amazonaws.com") assume the role."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def ensure_service_role(
    iam: Any, name: str, service: str, inline_policies: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The ARN of role ``name``, created (trusting ``service``, with ``inline_policies``) if missing.

    Inline policies rather than AWS-managed ones keep the role self-contained (and creatable in moto,
    which does not load AWS's managed policies by default).
    """
    try:
        with aws_errors("iam.get_role"):
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except NotFound:
        pass
    with aws_errors("iam.create_role"):
        arn = str(
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(service))["Role"]["Arn"]
        )
        for policy_name, document in (inline_policies or {}).items():
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    return arn
