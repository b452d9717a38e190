"""AWS wire conventions for emulators: error bodies botocore parses, request identity, CloudError mapping.

Error responses carry the code twice, so both botocore parsers find it: the ``__type`` body field (read by
the JSON 1.0/1.1 protocol) and the ``x-amzn-ErrorType`` header (read first by REST-JSON); the message is
in ``message`` (or ``Message`` when the service models it so, as Comprehend and SageMaker do). The HTTP
status comes from the error shape in botocore's service model when it declares one.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.error_kinds import error_kind

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

#: the account moto uses by default; emulators answer with the same one so ARNs line up
ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
NOT_IMPLEMENTED = "NotImplemented"
UNKNOWN_OPERATION = "UnknownOperationException"
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


class AwsError(Exception):
    """An AWS error answer: ``code`` (e.g. ``InvalidParameterException``), message, optional status/fields."""

    def __init__(
        self, code: str, message: str, *, status: int | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = dict(fields or {})


def not_implemented(operation: str, reason: str) -> AwsError:
    """HTTP 501 ``NotImplemented`` naming the operation; botocore does not retry it."""
    return AwsError(
        NOT_IMPLEMENTED, f"{operation} is not implemented by the local emulator: {reason}", status=501
    )


@dataclass
class RequestContext:
    """Who asked what: the operation, the region from the SigV4 scope, the account, a request id."""

    service: str
    operation: str
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    request: Request | None = None

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


def credential_scope(request: Request) -> tuple[str, str]:
    """``(region, signing service)`` from the SigV4 ``Authorization`` header, or ``("", "")`` if unsigned."""
    match = _CREDENTIAL.search(request.headers.get("Authorization", ""))
    return (match.group(1), match.group(2)) if match else ("", "")


def status_for(service_model: Any, code: str) -> int:
    """The status botocore's model declares for error ``code``; otherwise 500 for server faults, else 400."""
    if service_model is not None:
        try:
            declared = service_model.shape_for(code).metadata.get("error", {}).get("httpStatusCode")
        except Exception:  # noqa: BLE001 - botocore raises NoShapeFoundError for unmodelled codes
            declared = None
        if declared:
            return int(declared)
    if code == NOT_IMPLEMENTED:
        return 501
    if code in ("ServiceUnavailable", "ServiceUnavailableException"):
        return 503
    if "Internal" in code or code.startswith("ServiceFailure"):
        return 500
    return 400


def message_key(service_model: Any, code: str) -> str:
    """``Message`` when the service's error shape spells it so, else ``message``."""
    if service_model is not None:
        try:
            members = service_model.shape_for(code).members
        except Exception:  # noqa: BLE001 - unmodelled code
            members = {}
        if "Message" in members:
            return "Message"
    return "message"


def error_response(error: AwsError, *, service_model: Any = None, request_id: str = "") -> Response:
    """The HTTP answer for ``error``, parseable by botocore's JSON and REST-JSON protocols alike."""
    from werkzeug.wrappers import Response

    status = error.status or status_for(service_model, error.code)
    body = {"__type": error.code, message_key(service_model, error.code): error.message, **error.fields}
    headers = {
        "x-amzn-ErrorType": error.code,
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        "Content-Type": "application/x-amz-json-1.1",
    }
    return Response(json.dumps(body), status=status, headers=headers)


@dataclass(frozen=True)
class ErrorCodes:
    """A service's own codes for the portable error classes (each AWS service names them differently)."""

    invalid: str = "ValidationException"
    not_found: str = "ResourceNotFoundException"
    conflict: str = "ConflictException"
    denied: str = "AccessDeniedException"
    throttled: str = "ThrottlingException"
    unavailable: str = "ServiceUnavailable"


def error_from_cloud_error(exc: CloudError, operation: str, codes: ErrorCodes) -> AwsError:
    """Map an engine's CloudError to the service's AWS error; missing engines and Unsupported are 501."""
    kind = error_kind(exc)
    if kind == "unsupported":  # Unsupported, MissingDependency, ConfigurationError
        return not_implemented(operation, exc.message)
    code = {
        "invalid": codes.invalid,
        "not_found": codes.not_found,
        "conflict": codes.conflict,
        "denied": codes.denied,
        "throttled": codes.throttled,
        "unavailable": codes.unavailable,
    }[kind]
    return AwsError(code, exc.message, status=503 if kind == "unavailable" else None)
