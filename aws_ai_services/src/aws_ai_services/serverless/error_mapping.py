"""Errors of Lambda, Step Functions and EventBridge mapped to multi_cloud errors (codes errors.py lacks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.errors import AlreadyExists, CloudError, NotFound, Unsupported, mapped_errors

from aws_ai_services.errors import map_aws_error

#: codes these services use that the shared mapper would only classify by HTTP status
_NOT_FOUND = ("StateMachineDoesNotExist", "ExecutionDoesNotExist", "ActivityDoesNotExist")
_ALREADY_EXISTS = ("StateMachineAlreadyExists", "ExecutionAlreadyExists", "ResourceConflictException")


def map_serverless_error(exc: BaseException) -> CloudError | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return map_aws_error(exc)
    code = str(response.get("Error", {}).get("Code", ""))
    message = f"{code}: {response.get('Error', {}).get('Message', '')}"
    if code in _NOT_FOUND:
        return NotFound(message)
    if code in _ALREADY_EXISTS:
        return AlreadyExists(f"{message}. Choose another name or update the existing resource.")
    if code == "InvalidRuntimeException":
        return Unsupported(message)
    return map_aws_error(exc)


@contextmanager
def serverless_errors(operation: str) -> Iterator[None]:
    """``with serverless_errors("functions.invoke"):`` maps botocore errors raised inside the block."""
    with mapped_errors("aws", operation, map_serverless_error):
        yield
