"""An ECR repository for the model-server image: immutable tags, scan on push, a lifecycle policy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound

from aws_ai_services.errors import aws_errors


@dataclass(frozen=True)
class Repository:
    name: str
    arn: str
    uri: str
    lifecycle_policy: Mapping[str, Any]


def lifecycle_policy_document(keep_last: int = 10, untagged_days: int = 1) -> dict[str, Any]:
    """ECR lifecycle rules: expire untagged images after ``untagged_days``, keep the last ``keep_last``."""
    if keep_last < 1 or untagged_days < 1:
        raise InvalidArgument("keep_last and untagged_days must be >= 1 (ECR counts from 1)")
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"expire untagged images after {untagged_days} day(s)",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"keep the last {keep_last} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_last,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def create_repository(
    ecr: Any, name: str, *, keep_last: int = 10, untagged_days: int = 1, scan_on_push: bool = True
) -> Repository:
    """A private repository, immutable tags (a tag always means one image), and a lifecycle policy."""
    policy = lifecycle_policy_document(keep_last, untagged_days)
    with aws_errors("ecr.create_repository"):
        repo = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": scan_on_push},
            encryptionConfiguration={"encryptionType": "AES256"},
        )["repository"]
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(policy))
    return Repository(repo["repositoryName"], repo["repositoryArn"], repo["repositoryUri"], policy)


def delete_repository(ecr: Any, name: str, *, force: bool = True) -> bool:
    """Delete the repository (with its images when ``force``); False if it did not exist."""
    try:
        with aws_errors("ecr.delete_repository"):
            ecr.delete_repository(repositoryName=name, force=force)
    except NotFound:
        return False
    return True
