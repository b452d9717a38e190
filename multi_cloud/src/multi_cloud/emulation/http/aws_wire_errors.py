"""AWS error bodies in the protocol the request speaks (JSON, REST-JSON, query, EC2, REST-XML).

moto serves every AWS protocol on one port, so an answer the HTTP layer gives itself (refused, too
large, a crash inside moto) must match the request's protocol for botocore to parse it: JSON protocols
by ``X-Amz-Target``; otherwise the protocol botocore's model declares for the SigV4 signing name; an
unsigned request falls back on its content type (moto routes anything else to S3).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from multi_cloud.emulation.http.error_shapes import AWS_JSON_CODES
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

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"X-Amz-Credential=[^&]*?(?:%2F|/)\d{8}(?:%2F|/)[^&%/]+(?:%2F|/)([^&%/]+)")
#: SigV4 signing names that are not the botocore service name
SIGNING_NAMES = {
    "monitoring": "cloudwatch",
    "states": "stepfunctions",
    "email": "ses",
    "execute-api": "apigateway",
}

QUERY_CODES = {
    FORBIDDEN: "AccessDenied",
    PAYLOAD_TOO_LARGE: "RequestEntityTooLarge",
    HEADERS_TOO_LARGE: "RequestHeaderSectionTooLarge",
    MALFORMED: "MalformedInput",
    INVALID: "ValidationError",
    UNKNOWN_ROUTE: "InvalidAction",
    NOT_IMPLEMENTED: "NotImplemented",
    TIMEOUT: "RequestTimeout",
    INTERNAL: "InternalFailure",
}
EC2_CODES = {**QUERY_CODES, FORBIDDEN: "UnauthorizedOperation", INVALID: "InvalidParameterValue"}
S3_CODES = {
    **QUERY_CODES,
    PAYLOAD_TOO_LARGE: "EntityTooLarge",
    MALFORMED: "MalformedXML",
    INVALID: "InvalidArgument",
    UNKNOWN_ROUTE: "MethodNotAllowed",
    INTERNAL: "InternalError",
}


def signing_service(environ: Mapping[str, Any]) -> str:
    """The SigV4 service of the request (``Authorization`` or a presigned URL), or ""."""
    match = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if match is None:
        match = _QUERY_CREDENTIAL.search(str(environ.get("QUERY_STRING", "")))
    return match.group(1) if match else ""


@lru_cache(maxsize=64)
def model_protocol(service: str) -> str:
    """The protocol botocore speaks to a service (by signing name), or ""."""
    try:
        from botocore.loaders import create_loader
        from botocore.model import ServiceModel

        model = ServiceModel(
            create_loader().load_service_model(SIGNING_NAMES.get(service, service), "service-2")
        )
        return str(getattr(model, "resolved_protocol", None) or model.metadata.get("protocol", ""))
    except Exception:  # noqa: BLE001 - unknown service, or botocore missing
        return ""


def request_protocol(environ: Mapping[str, Any]) -> str:
    """``json``, ``rest-json``, ``query``, ``ec2`` or ``rest-xml`` for this request."""
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    service = signing_service(environ)
    declared = model_protocol(service) if service else ""
    if declared:
        return declared
    content_type = str(environ.get("CONTENT_TYPE", "")).lower()
    if "x-www-form-urlencoded" in content_type:
        return "query"
    if "json" in content_type or str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
        return "rest-json"
    return "rest-xml"


def aws_wire(problem: Problem, environ: Mapping[str, Any]) -> Answer:
    """``problem`` as botocore expects it for the request's protocol."""
    protocol = request_protocol(environ)
    request_id = str(uuid.uuid4())
    message = _xml_text(problem.message)
    if protocol in ("json", "rest-json"):
        code = AWS_JSON_CODES.get(problem.code, problem.code)
        content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        body = json.dumps({"__type": code, "message": problem.message}).encode()
        return [
            ("Content-Type", content_type),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ], body
    if protocol == "ec2":
        code = EC2_CODES.get(problem.code, problem.code)
        inner = f"<Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
        xml = f"<Response>{inner}<RequestID>{request_id}</RequestID></Response>"
    elif protocol == "query":
        code = QUERY_CODES.get(problem.code, problem.code)
        kind = "Receiver" if problem.status >= 500 else "Sender"
        inner = f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        xml = f"<ErrorResponse>{inner}<RequestId>{request_id}</RequestId></ErrorResponse>"
    else:
        code = S3_CODES.get(problem.code, problem.code)
        inner = f"<Code>{code}</Code><Message>{message}</Message>"
        xml = f"<Error>{inner}<RequestId>{request_id}</RequestId></Error>"
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8", "backslashreplace")
    return [("Content-Type", "application/xml"), ("x-amzn-RequestId", request_id)], body


def _xml_text(text: str) -> str:
    """Escaped, without the characters XML 1.0 forbids (control characters, lone surrogates)."""
    return escape(_XML_FORBIDDEN.sub("?", text))


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
