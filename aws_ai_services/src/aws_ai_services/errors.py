"""The one place botocore exceptions become multi_cloud errors (NotFound, AlreadyExists, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.errors import (
    AlreadyExists,
    CloudError,
    ConfigurationError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Throttled,
    Unavailable,
    Unsupported,
    error_for_status,
    mapped_errors,
)

NOT_FOUND_CODES = frozenset(
    {
        "404",
        "NotFound",
        "NoSuchKey",
        "NoSuchBucket",
        "NoSuchUpload",
        "NoSuchVersion",
        "NoSuchEntity",
        "ResourceNotFound",
        "ResourceNotFoundException",
    }
)
ALREADY_EXISTS_CODES = frozenset(
    {
        "BucketAlreadyOwnedByYou",
        "BucketAlreadyExists",
        "ResourceInUse",
        "ResourceInUseException",
        "AlreadyExistsException",
        "EntityAlreadyExists",
        "ResourceAlreadyExistsException",
    }
)
INVALID_CODES = frozenset(
    {
        "ValidationException",
        "ValidationError",
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidParameterException",
        "InvalidParameterCombination",
        "InvalidArgument",
        "InvalidRequest",
        "InvalidBucketName",
        "MalformedXML",
        "EntityTooLarge",
        "KeyTooLongError",
        "MissingParameter",
        "BucketNotEmpty",
    }
)
PERMISSION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
    }
)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)
UNAVAILABLE_CODES = frozenset(
    {"ServiceUnavailable", "InternalError", "InternalFailure", "InternalServerError"}
)

#: SageMaker answers a missing job/model/endpoint with ValidationException; its message says so
_NOT_FOUND_PHRASES = ("could not find", "not found", "does not exist")
_ALREADY_EXISTS_PHRASES = ("already exist", "must be unique")

CREDENTIALS_FIX = 'Run `aws configure`, set AWS_PROFILE, or in local mode `eval "$(cloudai local env)"`.'
LOCAL_CLOUD_FIX = "Is the local cloud running? Check with `cloudai local status`."


def map_aws_error(exc: BaseException) -> CloudError | None:
    """The multi_cloud error for a botocore exception, or ``None`` for anything else."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        return _map_client_error(exc)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return PermissionDenied(f"{exc}. {CREDENTIALS_FIX}")
    if isinstance(exc, bx.ProfileNotFound):
        return ConfigurationError(
            f"{exc}. Create it with `aws configure --profile NAME` or unset AWS_PROFILE."
        )
    if isinstance(exc, bx.NoRegionError):
        return ConfigurationError(f"{exc}. Set CLOUDAI_AWS__REGION or AWS_DEFAULT_REGION.")
    if isinstance(exc, bx.ParamValidationError):
        return InvalidArgument(str(exc))
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ConnectTimeoutError):
        return Unavailable(f"cannot reach AWS: {exc}. {LOCAL_CLOUD_FIX}")
    if isinstance(exc, bx.ReadTimeoutError):
        return Unavailable(f"AWS did not answer in time: {exc}")
    if isinstance(exc, bx.WaiterError):
        return Unavailable(f"{exc} (last response: {exc.last_response})")
    return None


def _map_client_error(exc: BaseException) -> CloudError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message") or exc)
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    text = f"{code}: {message}" + _detail(error)
    if code in NOT_FOUND_CODES:
        return NotFound(text)
    if code in ALREADY_EXISTS_CODES:
        return AlreadyExists(f"{text}. Choose another name or reuse the existing resource.")
    if code == "BucketNotEmpty":
        return InvalidArgument(f"{text}. Delete its objects first, or pass force=True.")
    if code in ("ValidationException", "ValidationError"):
        lowered = message.lower()
        if any(phrase in lowered for phrase in _NOT_FOUND_PHRASES):
            return NotFound(text)
        if any(phrase in lowered for phrase in _ALREADY_EXISTS_PHRASES):
            return AlreadyExists(text)
        return InvalidArgument(text)
    if code in INVALID_CODES:
        return InvalidArgument(text)
    if code in PERMISSION_CODES:
        return PermissionDenied(f"{text}. {CREDENTIALS_FIX}")
    if code in THROTTLE_CODES:
        return Throttled(f"{text}. Retry with backoff, or raise the account's quota.")
    if code in UNAVAILABLE_CODES:
        return Unavailable(text)
    if code in ("NotImplemented", "NotImplementedError"):
        return Unsupported(f"{text} (the local cloud does not implement this operation)")
    if status:
        return error_for_status(status, text)
    return CloudError(text)


def _detail(error: dict[str, object]) -> str:
    """Names the resource when S3 says which (BucketName, Key)."""
    named = [f"{field.lower()} {error[field]!r}" for field in ("BucketName", "Key") if error.get(field)]
    return f" ({', '.join(named)})" if named else ""


@contextmanager
def aws_errors(operation: str) -> Iterator[None]:
    """``with aws_errors("storage.get_object"):`` maps botocore errors raised inside the block."""
    with mapped_errors("aws", operation, map_aws_error):
        yield
