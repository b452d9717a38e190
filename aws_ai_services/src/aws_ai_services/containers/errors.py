"""Errors of ECR, ECS, Application Auto Scaling, EKS and Batch mapped to multi_cloud errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.errors import AlreadyExists, CloudError, InvalidArgument, NotFound, mapped_errors

from aws_ai_services.errors import map_aws_error

#: codes these services use that the shared mapper would only classify by HTTP status (all answer 400)
NOT_FOUND_CODES = frozenset(
    {
        "ClusterNotFoundException",
        "ServiceNotFoundException",
        "RepositoryNotFoundException",
        "LifecyclePolicyNotFoundException",
        "ImageNotFoundException",
        "ObjectNotFoundException",
        "InvalidGroup.NotFound",
    }
)
ALREADY_EXISTS_CODES = frozenset({"RepositoryAlreadyExistsException"})
#: resources still in use: the fix is to delete what depends on them first
IN_USE_CODES = frozenset(
    {
        "ClusterContainsServicesException",
        "ClusterContainsTasksException",
        "ClusterContainsContainerInstancesException",
        "RepositoryNotEmptyException",
        "ServiceNotActiveException",
        "DependencyViolation",
    }
)
#: ECS/Batch/Auto Scaling answer many problems with a generic code; the message tells a missing resource apart
_GENERIC_CODES = frozenset({"ClientException", "ValidationException"})
_NOT_FOUND_MESSAGE = re.compile(
    r"(does not|doesn't) exist|not found|unable to describe|could not find|\bno [\w ]+ found\b", re.IGNORECASE
)


def map_container_error(exc: BaseException) -> CloudError | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return map_aws_error(exc)
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = f"{code}: {error.get('Message', '')}"
    if code in NOT_FOUND_CODES:
        return NotFound(message)
    if code in ALREADY_EXISTS_CODES:
        return AlreadyExists(f"{message}. Choose another name or reuse the existing resource.")
    if code in IN_USE_CODES:
        return InvalidArgument(f"{message}. Delete what depends on it first (or pass force=True).")
    if "already exists" in message.lower():
        return AlreadyExists(f"{message}. Choose another name or reuse the existing resource.")
    if code in _GENERIC_CODES:
        return NotFound(message) if _NOT_FOUND_MESSAGE.search(message) else InvalidArgument(message)
    return map_aws_error(exc)


def aws_code(error: BaseException) -> str:
    """The AWS error code behind a mapped error ("ClusterNotFoundException"), or "" when there is none."""
    cause = getattr(error, "cause", None) or error
    response = getattr(cause, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


@contextmanager
def container_errors(operation: str) -> Iterator[None]:
    """``with container_errors("ecs.create_service"):`` maps botocore errors raised inside the block."""
    with mapped_errors("aws", operation, map_container_error):
        yield
