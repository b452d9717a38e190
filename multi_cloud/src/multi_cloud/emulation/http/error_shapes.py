"""Error bodies in each provider's JSON shape, for answers the HTTP layer gives before any service runs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from multi_cloud.emulation.http.problems import (
    FORBIDDEN,
    HEADERS_TOO_LARGE,
    INTERNAL,
    INVALID,
    MALFORMED,
    NOT_IMPLEMENTED,
    PAYLOAD_TOO_LARGE,
    TIMEOUT,
    UNKNOWN_ROUTE,
    Answer,
    Problem,
)

#: the AWS codes (JSON protocols) for the neutral problems
AWS_JSON_CODES = {
    FORBIDDEN: "AccessDeniedException",
    PAYLOAD_TOO_LARGE: "RequestEntityTooLargeException",
    HEADERS_TOO_LARGE: "RequestHeaderFieldsTooLargeException",
    MALFORMED: "SerializationException",
    INVALID: "ValidationException",
    UNKNOWN_ROUTE: "UnknownOperationException",
    NOT_IMPLEMENTED: "NotImplemented",
    TIMEOUT: "RequestTimeoutException",
    INTERNAL: "InternalFailure",
}

#: google.rpc.Code names by HTTP status
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    413: "INVALID_ARGUMENT",
    431: "INVALID_ARGUMENT",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
}

AZURE_CODES = {
    FORBIDDEN: "AuthorizationFailed",
    PAYLOAD_TOO_LARGE: "RequestEntityTooLarge",
    HEADERS_TOO_LARGE: "RequestHeaderFieldsTooLarge",
    MALFORMED: "InvalidRequestContent",
    INVALID: "InvalidRequestContent",
    UNKNOWN_ROUTE: "NotFound",
    NOT_IMPLEMENTED: "NotImplemented",
    TIMEOUT: "RequestTimeout",
    INTERNAL: "InternalServerError",
}


def aws_json(problem: Problem, environ: Mapping[str, Any]) -> Answer:
    """AWS JSON/REST-JSON: ``__type`` + ``message`` and the ``x-amzn-ErrorType`` header botocore reads."""
    code = AWS_JSON_CODES.get(problem.code, problem.code)
    body = json.dumps({"__type": code, "message": problem.message}).encode()
    return [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", code),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ], body


def google_json(problem: Problem, environ: Mapping[str, Any]) -> Answer:
    """Google APIs: ``{"error": {"code", "message", "status"}}``."""
    status = GOOGLE_STATUS.get(problem.status, "INTERNAL" if problem.status >= 500 else "FAILED_PRECONDITION")
    body = {"error": {"code": problem.status, "message": problem.message, "status": status}}
    return [("Content-Type", "application/json; charset=UTF-8")], json.dumps(body).encode()


def azure_json(problem: Problem, environ: Mapping[str, Any]) -> Answer:
    """Azure (ARM and data plane): ``{"error": {"code", "message"}}`` and ``x-ms-error-code``."""
    code = AZURE_CODES.get(problem.code, problem.code)
    body = {"error": {"code": code, "message": problem.message}}
    return [
        ("Content-Type", "application/json; charset=utf-8"),
        ("x-ms-error-code", code),
    ], json.dumps(body).encode()
