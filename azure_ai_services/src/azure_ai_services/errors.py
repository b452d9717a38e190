"""The one place Azure SDK exceptions become multi_cloud errors; ``error.code`` keeps Azure's own code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from multi_cloud.core.errors import (
    AlreadyExists,
    CloudError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Throttled,
    Unavailable,
    Unsupported,
    error_for_status,
    mapped_errors,
)

LOCAL_CLOUD_FIX = "Is the local cloud running? Check with `cloudai local status`."

#: Azure error code -> class, for the services this package calls (ARM, Blob, Queue, AI services)
ERROR_CLASSES: Mapping[str, type[CloudError]] = {
    **dict.fromkeys(
        "ResourceNotFound ResourceGroupNotFound NotFound ContainerNotFound BlobNotFound QueueNotFound "
        "ModelNotFound DeploymentNotFound".split(),
        NotFound,
    ),
    **dict.fromkeys(
        "ContainerAlreadyExists BlobAlreadyExists QueueAlreadyExists Conflict".split(), AlreadyExists
    ),
    **dict.fromkeys(
        "InvalidRequest InvalidArgument InvalidImageUrl InvalidImageFormat InvalidImageSize InvalidImage "
        "InvalidDocument InvalidDocumentBatch UnsupportedLanguageCode InvalidParameterValue BadArgument "
        "BadRequest InvalidRequestContent MissingApiVersionParameter InvalidApiVersionParameter "
        "InvalidQueryParameterValue InvalidResourceName OutOfRangeInput".split(),
        InvalidArgument,
    ),
    **dict.fromkeys(
        "401 403 AuthenticationFailed AuthorizationFailed AuthorizationPermissionMismatch "
        "InvalidAuthenticationInfo PermissionDenied".split(),
        PermissionDenied,
    ),
    **dict.fromkeys("429 TooManyRequests ServerBusy".split(), Throttled),
    **dict.fromkeys("ServiceUnavailable InternalServerError InternalError".split(), Unavailable),
    **dict.fromkeys("NotImplemented NotSupported".split(), Unsupported),
}


def error_code(exc: BaseException) -> str:
    """Azure's code from an azure-core ``HttpResponseError`` or an msrest ``HttpOperationError``."""
    code = getattr(exc, "error_code", None)
    if code:
        return str(code)
    error = getattr(exc, "error", None)
    inner = getattr(error, "error", None)  # msrest models: ComputerVisionErrorResponse.error
    for candidate in (error, inner):
        found = getattr(candidate, "code", None)
        if isinstance(found, str) and found:
            return found
    return ""


def status_code(exc: BaseException) -> int:
    found = getattr(exc, "status_code", None)
    if isinstance(found, int):
        return found
    response = getattr(exc, "response", None)
    found = getattr(response, "status_code", None)
    return found if isinstance(found, int) else 0


def error_message(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    inner = getattr(error, "error", None)
    for candidate in (inner, error):
        found = getattr(candidate, "message", None)
        if isinstance(found, str) and found:
            return found
    return getattr(exc, "message", None) or str(exc)


def to_cloud_error(exc: BaseException) -> CloudError | None:
    """``exc`` as a CloudError, or None when it is not an Azure SDK error."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError, ServiceRequestError
    from msrest.exceptions import HttpOperationError

    if isinstance(exc, ServiceRequestError):
        return Unavailable(
            f"Azure could not be reached: {exc}. {LOCAL_CLOUD_FIX}", code="ServiceRequestError"
        )
    if not isinstance(exc, (AzureError, HttpOperationError)):
        return None
    code, status, message = error_code(exc), status_code(exc), error_message(exc)
    if isinstance(exc, ClientAuthenticationError) and not code:
        code = "AuthenticationFailed"
    cls = ERROR_CLASSES.get(code)
    if cls is not None:
        return cls(message, code=code)
    if status:
        return error_for_status(status, message, code=code)
    return CloudError(message, code=code)


@contextmanager
def azure_errors(operation: str) -> Iterator[None]:
    """Translate Azure SDK exceptions raised inside the block (``operation``: "vision.detect_labels")."""
    with mapped_errors("azure", operation, to_cloud_error):
        yield
