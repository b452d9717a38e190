"""The one place botocore exceptions become multi_cloud errors: one table of AWS codes for every service."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
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

CREDENTIALS_FIX = 'Run `aws configure`, set AWS_PROFILE, or in local mode `eval "$(cloudai local env)"`.'
LOCAL_CLOUD_FIX = "Is the local cloud running? Check with `cloudai local status`."
IN_USE_FIX = "Delete what depends on it first (or pass force=True)."


def _codes(cls: type[CloudError], codes: str) -> dict[str, type[CloudError]]:
    return dict.fromkeys(codes.split(), cls)


#: AWS error code -> class, for every service this package calls (S3, SageMaker, Lambda, Step Functions,
#: EventBridge, SQS, IAM, STS, ECR, ECS, EKS, Batch, Application Auto Scaling, CloudFormation, AI services)
ERROR_CLASSES: Mapping[str, type[CloudError]] = {
    **_codes(
        NotFound,
        "404 NotFound NoSuchKey NoSuchBucket NoSuchUpload NoSuchVersion NoSuchEntity ResourceNotFound "
        "ResourceNotFoundException StateMachineDoesNotExist ExecutionDoesNotExist ActivityDoesNotExist "
        "ClusterNotFoundException ServiceNotFoundException RepositoryNotFoundException "
        "LifecyclePolicyNotFoundException ImageNotFoundException ObjectNotFoundException "
        "InvalidGroup.NotFound AWS.SimpleQueueService.NonExistentQueue QueueDoesNotExist",
    ),
    **_codes(
        AlreadyExists,
        "BucketAlreadyOwnedByYou BucketAlreadyExists ResourceInUse ResourceInUseException "
        "AlreadyExistsException EntityAlreadyExists ResourceAlreadyExistsException "
        "StateMachineAlreadyExists ExecutionAlreadyExists ResourceConflictException "
        "RepositoryAlreadyExistsException",
    ),
    **_codes(
        InvalidArgument,
        "ValidationException ValidationError InvalidParameter InvalidParameterValue "
        "InvalidParameterException InvalidParameterCombination InvalidArgument InvalidRequest "
        "InvalidBucketName MalformedXML EntityTooLarge KeyTooLongError MissingParameter ClientException "
        "BucketNotEmpty ClusterContainsServicesException ClusterContainsTasksException "
        "ClusterContainsContainerInstancesException RepositoryNotEmptyException ServiceNotActiveException "
        "DependencyViolation",
    ),
    **_codes(
        PermissionDenied,
        "AccessDenied AccessDeniedException UnrecognizedClientException InvalidClientTokenId "
        "InvalidAccessKeyId SignatureDoesNotMatch ExpiredToken ExpiredTokenException AuthFailure",
    ),
    **_codes(
        Throttled,
        "Throttling ThrottlingException ThrottledException TooManyRequestsException RequestLimitExceeded "
        "SlowDown ProvisionedThroughputExceededException",
    ),
    **_codes(Unavailable, "ServiceUnavailable InternalError InternalFailure InternalServerError"),
    **_codes(Unsupported, "NotImplemented NotImplementedError InvalidRuntimeException"),
}

#: what to do, appended to the message, for a code or else for its class
FIXES: Mapping[str | type[CloudError], str] = {
    "BucketNotEmpty": "Delete its objects first, or pass force=True.",
    **dict.fromkeys(
        "ClusterContainsServicesException ClusterContainsTasksException "
        "ClusterContainsContainerInstancesException RepositoryNotEmptyException ServiceNotActiveException "
        "DependencyViolation".split(),
        IN_USE_FIX,
    ),
    "NotImplemented": "The local cloud does not implement this operation.",
    AlreadyExists: "Choose another name, or reuse or update the existing resource.",
    PermissionDenied: CREDENTIALS_FIX,
    Throttled: "Retry with backoff, or raise the account's quota.",
}

#: Generic codes that some services also answer for a missing or duplicate resource (SageMaker, ECS, Batch
#: and CloudFormation have no other code for it): for these alone the wording picks among these classes.
WORDED_CODES: Mapping[str, tuple[type[CloudError], ...]] = {
    "ValidationException": (NotFound, AlreadyExists),
    "ValidationError": (NotFound, AlreadyExists),
    "ClientException": (NotFound, AlreadyExists),
    "InvalidParameterValue": (AlreadyExists,),  # EC2/Batch; its "does not exist" means a bad value
}
WORDING: Mapping[type[CloudError], re.Pattern[str]] = {
    NotFound: re.compile(
        r"could not find|not found|(does not|doesn't) exist|unable to describe|\bno [\w ]+ found\b",
        re.IGNORECASE,
    ),
    AlreadyExists: re.compile(r"already exist|must be unique", re.IGNORECASE),
}


def map_aws_error(exc: BaseException) -> CloudError | None:
    """The multi_cloud error for a botocore exception, or ``None`` for anything else."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        return map_client_error(exc)
    code = type(exc).__name__
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return PermissionDenied(f"{exc}. {CREDENTIALS_FIX}", code=code)
    if isinstance(exc, bx.ProfileNotFound):
        return ConfigurationError(
            f"{exc}. Create it with `aws configure --profile NAME` or unset AWS_PROFILE.", code=code
        )
    if isinstance(exc, bx.NoRegionError):
        return ConfigurationError(f"{exc}. Set CLOUDAI_AWS__REGION or AWS_DEFAULT_REGION.", code=code)
    if isinstance(exc, bx.ParamValidationError):
        return InvalidArgument(str(exc), code=code)
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.ConnectTimeoutError):
        return Unavailable(f"cannot reach AWS: {exc}. {LOCAL_CLOUD_FIX}", code=code)
    if isinstance(exc, bx.ReadTimeoutError):
        return Unavailable(f"AWS did not answer in time: {exc}", code=code)
    if isinstance(exc, bx.WaiterError):
        return Unavailable(f"{exc} (last response: {exc.last_response})", code=code)
    return None


def map_client_error(exc: BaseException) -> CloudError:
    """The error for a service's answer (a ClientError): its class from :data:`ERROR_CLASSES`."""
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message") or exc)
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    text = f"{code}: {message}" + _detail(error)
    cls = error_class(code, message)
    if cls is None:
        return error_for_status(status, text, code=code) if status else CloudError(text, code=code)
    fix = FIXES.get(code) or FIXES.get(cls)
    return cls(f"{text}. {fix}" if fix else text, code=code)


def error_class(code: str, message: str = "") -> type[CloudError] | None:
    """The class for AWS error ``code`` (``message`` only matters for :data:`WORDED_CODES`)."""
    for worded in WORDED_CODES.get(code, ()):
        if WORDING[worded].search(message):
            return worded
    return ERROR_CLASSES.get(code)


def _detail(error: Mapping[str, object]) -> str:
    """Names the resource when S3 says which (BucketName, Key)."""
    named = [f"{field.lower()} {error[field]!r}" for field in ("BucketName", "Key") if error.get(field)]
    return f" ({', '.join(named)})" if named else ""


@contextmanager
def aws_errors(operation: str) -> Iterator[None]:
    """``with aws_errors("storage.get_object"):`` maps botocore errors raised inside the block."""
    with mapped_errors("aws", operation, map_aws_error):
        yield
