"""The one place Google API exceptions become multi_cloud errors: one table of canonical status codes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from multi_cloud.core.errors import (
    AlreadyExists,
    CloudError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Throttled,
    Unavailable,
    Unsupported,
    mapped_errors,
)

CREDENTIALS_FIX = (
    'Run `gcloud auth application-default login`, or in local mode `eval "$(cloudai local env)"`.'
)
LOCAL_CLOUD_FIX = "Is the local cloud running? Check with `cloudai local status`."

#: google.rpc.Code name -> class, for every Google API this package calls
ERROR_CLASSES: Mapping[str, type[CloudError]] = {
    "INVALID_ARGUMENT": InvalidArgument,
    "FAILED_PRECONDITION": InvalidArgument,
    "OUT_OF_RANGE": InvalidArgument,
    "NOT_FOUND": NotFound,
    "ALREADY_EXISTS": AlreadyExists,
    "ABORTED": AlreadyExists,
    "PERMISSION_DENIED": PermissionDenied,
    "UNAUTHENTICATED": PermissionDenied,
    "RESOURCE_EXHAUSTED": Throttled,
    "UNAVAILABLE": Unavailable,
    "DEADLINE_EXCEEDED": Unavailable,
    "INTERNAL": Unavailable,
    "UNKNOWN": Unavailable,
    "DATA_LOSS": Unavailable,
    "CANCELLED": Unavailable,
    "UNIMPLEMENTED": Unsupported,
}

#: what to do, appended to the message, for a status
FIXES: Mapping[str, str] = {
    "PERMISSION_DENIED": CREDENTIALS_FIX,
    "UNAUTHENTICATED": CREDENTIALS_FIX,
    "RESOURCE_EXHAUSTED": "Retry with backoff, or ask for a higher quota.",
    "ALREADY_EXISTS": "Choose another name, or reuse the existing resource.",
    "UNIMPLEMENTED": "The local cloud does not compute this; see the package README's fidelity table.",
}

#: HTTP status -> canonical name, for answers without a JSON body (a proxy, Cloud Storage's XML)
STATUS_FOR_HTTP: Mapping[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def status_name(exc: Any) -> str:
    """Google's canonical status of an API error: the body's ``error.status``, else the exception class's."""
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:  # not JSON (a proxy's page, Cloud Storage's XML API)
        body = {}
    status = body.get("error", {}).get("status") if isinstance(body, dict) else None
    if isinstance(status, str) and status in ERROR_CLASSES:
        return status
    grpc_code = getattr(getattr(exc, "grpc_status_code", None), "name", "")  # the exception class's own
    if grpc_code in ERROR_CLASSES:
        return str(grpc_code)
    return STATUS_FOR_HTTP.get(int(getattr(exc, "code", 0) or 0), "UNKNOWN")


def map_google_error(exc: BaseException) -> CloudError | None:
    """The multi_cloud error for a google-api-core / google-auth / requests exception, or ``None``."""
    from google.api_core import exceptions as gx
    from google.auth import exceptions as auth_exceptions

    if isinstance(exc, gx.GoogleAPICallError):
        status = status_name(exc)
        cls = ERROR_CLASSES.get(status, CloudError)
        message = getattr(exc, "message", "") or str(exc)
        fix = FIXES.get(status)
        return cls(f"{status}: {message}" + (f". {fix}" if fix else ""), code=status)
    if isinstance(exc, gx.RetryError):
        return Unavailable(f"the Google API kept failing: {exc}. {LOCAL_CLOUD_FIX}", code="UNAVAILABLE")
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return PermissionDenied(f"{exc}. {CREDENTIALS_FIX}", code="UNAUTHENTICATED")
    return _connection_error(exc)


def _connection_error(exc: BaseException) -> CloudError | None:
    import requests

    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return Unavailable(f"cannot reach the Google API: {exc}. {LOCAL_CLOUD_FIX}", code="UNAVAILABLE")
    return None


@contextmanager
def google_errors(operation: str) -> Iterator[None]:
    """``with google_errors("vision.detect_faces"):`` maps Google client errors raised inside the block."""
    with mapped_errors("gcp", operation, map_google_error):
        yield
