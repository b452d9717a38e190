"""Refuse undecodable JSON before a service parses it: bad UTF-8, bad syntax, nesting too deep, not an object.

For the AWS JSON protocols (requests with ``X-Amz-Target``) the body is always one JSON object, so any
other body is the client's fault: 400 ``Malformed`` (``SerializationException``) in the server's error
shape, and the service never sees it (a service that parses it again cannot crash on it or, as moto does,
silently read it as ``{}``). Python's JSON decoder refuses nesting deeper than the recursion limit.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from multi_cloud.emulation.http.problems import MALFORMED, ErrorShape, Problem, status_line


def aws_json_protocol(environ: Mapping[str, Any]) -> bool:
    """True for a request in an AWS JSON protocol (1.0/1.1): ``X-Amz-Target`` and a JSON content type.

    Smithy RPC v2 CBOR (``application/cbor``) is binary, and botocore gzips large bodies (``Content-Encoding:
    gzip``, e.g. CloudWatch ``PutMetricData``): those are left to the service, which decodes them.
    """
    content_type = str(environ.get("CONTENT_TYPE", "")).lower()
    encoded = str(environ.get("HTTP_CONTENT_ENCODING", "")).strip().lower() not in ("", "identity")
    return bool(environ.get("HTTP_X_AMZ_TARGET")) and "cbor" not in content_type and not encoded


def json_object_problem(body: bytes) -> str:
    """Why ``body`` is not one JSON object, or "" when it is (or is empty)."""
    if not body.strip():
        return ""
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"the request body is not UTF-8 ({exc.reason} at byte {exc.start})"
    except RecursionError:
        return "the request body nests JSON too deeply"
    except ValueError as exc:
        return f"the request body is not valid JSON ({exc})"
    if not isinstance(document, dict):
        return f"the request body must be a JSON object, not {type(document).__name__}"
    return ""


class JsonBodyCheck:
    """WSGI middleware: 400 for an undecodable JSON body on requests ``applies`` selects."""

    def __init__(
        self,
        app: Any,
        error_shape: ErrorShape,
        applies: Callable[[Mapping[str, Any]], bool] = aws_json_protocol,
    ) -> None:
        self.app = app
        self.error_shape = error_shape
        self.applies = applies

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.applies(environ):
            body = _read_body(environ)
            reason = json_object_problem(body)
            if reason:
                headers, answer = self.error_shape(Problem(400, MALFORMED, reason), environ)
                start_response(status_line(400), [*headers, ("Content-Length", str(len(answer)))])
                return [answer]
        return self.app(environ, start_response)  # type: ignore[no-any-return]


def _read_body(environ: dict[str, Any]) -> bytes:
    """The whole body (the server already bounded it), put back for the app to read again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    body = stream.read(length) if (stream is not None and length > 0) else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return bytes(body)
