"""Resolve a deployed template's intrinsic functions (Ref, GetAtt, Sub, Join, Select) from the live stack."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_ai_services.session import aws_client

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Unresolvable(Exception):
    """A value uses a function or attribute this resolver does not know (its drift is 'NOT_CHECKED')."""


@dataclass
class StackContext:
    """What the stack's intrinsic functions evaluate against: parameters, pseudo parameters, resources."""

    stack_name: str
    stack_id: str
    parameters: Mapping[str, str]
    physical_ids: Mapping[str, str]
    resource_types: Mapping[str, str]
    attribute: Callable[[str, str, str], str]  # (resource type, physical id, attribute) -> value
    _cache: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def pseudo(self) -> dict[str, str]:
        # arn:{partition}:cloudformation:{region}:{account}:stack/{name}/{id}
        parts = self.stack_id.split(":")
        partition, region, account = (parts[1], parts[3], parts[4]) if len(parts) > 5 else ("aws", "", "")
        return {
            "AWS::Partition": partition,
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }

    def ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        raise Unresolvable(f"Ref to unknown name {name!r}")

    def get_att(self, logical_id: str, attribute: str) -> str:
        if logical_id not in self.physical_ids:
            raise Unresolvable(f"GetAtt on unknown resource {logical_id!r}")
        key = (logical_id, attribute)
        if key not in self._cache:
            kind = self.resource_types[logical_id]
            self._cache[key] = self.attribute(kind, self.physical_ids[logical_id], attribute)
        return self._cache[key]


def resolve(value: Any, context: StackContext) -> Any:
    """``value`` with every supported intrinsic function evaluated (raises :class:`Unresolvable`)."""
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if not isinstance(value, Mapping):
        return value
    if len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref":
            return context.ref(argument)
        if name == "Fn::GetAtt":
            logical, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
            return context.get_att(logical, attribute)
        if name == "Fn::Sub":
            return _sub(argument, context)
        if name == "Fn::Join":
            separator, items = argument
            return separator.join(str(item) for item in resolve(items, context))
        if name == "Fn::Select":
            index, items = argument
            return resolve(items, context)[int(resolve(index, context))]
        if name.startswith("Fn::") or name == "Condition":
            raise Unresolvable(f"{name} is not evaluated by the drift resolver")
    return {key: resolve(item, context) for key, item in value.items()}


def _sub(argument: Any, context: StackContext) -> str:
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    local = {name: resolve(item, context) for name, item in variables.items()}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in local:
            return str(local[name])
        if "." in name and not name.startswith("AWS::"):
            logical, attribute = name.split(".", 1)
            return context.get_att(logical, attribute)
        return context.ref(name)

    return _SUB_VARIABLE.sub(replace, text)


def live_attribute(settings: Any) -> Callable[[str, str, str], str]:
    """Reads GetAtt values from the resources themselves (the service does not return them)."""

    def attribute(kind: str, physical_id: str, name: str) -> str:
        if kind == "AWS::S3::Bucket" and name == "Arn":
            return f"arn:aws:s3:::{physical_id}"
        if kind == "AWS::KMS::Key" and name in ("Arn", "KeyId"):
            metadata = aws_client("kms", settings).describe_key(KeyId=physical_id)["KeyMetadata"]
            return str(metadata["Arn"] if name == "Arn" else metadata["KeyId"])
        if kind == "AWS::IAM::Role" and name in ("Arn", "RoleId"):
            role = aws_client("iam", settings).get_role(RoleName=physical_id)["Role"]
            return str(role[name])
        if kind == "AWS::SQS::Queue" and name in ("Arn", "QueueName"):
            if name == "QueueName":
                return physical_id.rstrip("/").rsplit("/", 1)[-1]
            sqs = aws_client("sqs", settings)
            return str(
                sqs.get_queue_attributes(QueueUrl=physical_id, AttributeNames=["QueueArn"])["Attributes"][
                    "QueueArn"
                ]
            )
        if kind == "AWS::SNS::Topic" and name in ("TopicArn", "TopicName"):
            return physical_id if name == "TopicArn" else physical_id.rsplit(":", 1)[-1]
        if name == "Arn" and physical_id.startswith("arn:"):
            return physical_id
        raise Unresolvable(f"GetAtt {kind}.{name} is not read by the drift resolver")

    return attribute
