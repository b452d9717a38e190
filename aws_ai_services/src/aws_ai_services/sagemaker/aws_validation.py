"""AWS-shaped errors for checks SageMaker makes server-side and moto skips (same code, same message form)."""

from __future__ import annotations

from collections.abc import Iterable

from multi_cloud.core.errors import CloudError

from aws_ai_services.errors import map_aws_error


def aws_error(
    operation: str,
    message: str,
    *,
    code: str = "ValidationException",
    status: int = 400,
    kind: type[CloudError] | None = None,
) -> CloudError:
    """The multi_cloud error for the ClientError AWS would send; ``error.cause`` is that ClientError.

    ``operation`` is the API name (``"CreateEndpointConfig"``); tests and callers can read
    ``error.cause.response["Error"]["Code"]`` exactly as with an error that came over the wire.
    ``kind`` overrides the mapped class (e.g. InvalidArgument for a 424 ``ModelError`` caused by the input).
    """
    from botocore.exceptions import ClientError

    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    client_error = ClientError(response, operation)  # type: ignore[arg-type]
    mapped = kind(f"{code}: {message}") if kind else map_aws_error(client_error) or CloudError(message)
    mapped.provider = "aws"
    mapped.operation = operation
    mapped.cause = client_error
    return mapped


def check_enum(operation: str, value: str, member: str, allowed: Iterable[str]) -> None:
    """AWS's enum constraint, worded like the service: ``Value 'X' at 'member' failed to satisfy ...``."""
    options = list(allowed)
    if value not in options:
        raise aws_error(
            operation,
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(options)}]",
        )


def check_range(operation: str, value: float, member: str, low: float, high: float) -> None:
    """AWS's numeric range constraint (both ends inclusive)."""
    if not low <= value <= high:
        raise aws_error(
            operation,
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must have value between {low:g} and {high:g}",
        )
