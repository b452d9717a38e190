"""Google API error bodies google-api-core parses: ``{"error": {"code", "message", "status", "details"}}``.

``code`` is the HTTP status and ``status`` the canonical code's name (``NOT_FOUND``); the same error inside a
long-running operation is a ``google.rpc.Status`` whose ``code`` is the canonical code's number (5).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.error_kinds import ErrorKind, error_kind

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

#: canonical code name -> (number in google.rpc.Code, HTTP status), as google.api_core maps them
CANONICAL: dict[str, tuple[int, int]] = {
    "OK": (0, 200),
    "CANCELLED": (1, 499),
    "UNKNOWN": (2, 500),
    "INVALID_ARGUMENT": (3, 400),
    "DEADLINE_EXCEEDED": (4, 504),
    "NOT_FOUND": (5, 404),
    "ALREADY_EXISTS": (6, 409),
    "PERMISSION_DENIED": (7, 403),
    "RESOURCE_EXHAUSTED": (8, 429),
    "FAILED_PRECONDITION": (9, 400),
    "ABORTED": (10, 409),
    "OUT_OF_RANGE": (11, 400),
    "UNIMPLEMENTED": (12, 501),
    "INTERNAL": (13, 500),
    "UNAVAILABLE": (14, 503),
    "DATA_LOSS": (15, 500),
    "UNAUTHENTICATED": (16, 401),
}
#: the canonical code for each portable error kind (multi_cloud.core.errors)
STATUS_FOR_KIND: dict[ErrorKind, str] = {
    "invalid": "INVALID_ARGUMENT",
    "not_found": "NOT_FOUND",
    "conflict": "ALREADY_EXISTS",
    "denied": "PERMISSION_DENIED",
    "throttled": "RESOURCE_EXHAUSTED",
    "unavailable": "UNAVAILABLE",
    "unsupported": "UNIMPLEMENTED",
}
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


class GoogleError(Exception):
    """A Google API error: canonical ``status`` (``"NOT_FOUND"``), message, optional typed ``details``."""

    def __init__(self, status: str, message: str, *, details: Sequence[dict[str, Any]] = ()) -> None:
        if status not in CANONICAL:
            raise ValueError(f"{status!r} is not a canonical code ({', '.join(CANONICAL)})")
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.details = [dict(detail) for detail in details]  # each with "@type", e.g. google.rpc.BadRequest

    @property
    def http_status(self) -> int:
        return CANONICAL[self.status][1]

    def body(self) -> dict[str, Any]:
        """The HTTP error body."""
        error: dict[str, Any] = {"code": self.http_status, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def rpc_status(self) -> dict[str, Any]:
        """The ``google.rpc.Status`` JSON (an operation's ``error``)."""
        status: dict[str, Any] = {"code": CANONICAL[self.status][0], "message": self.message}
        if self.details:
            status["details"] = self.details
        return status


def json_response(body: Any, status: int = 200) -> Response:
    from werkzeug.wrappers import Response

    return Response(json.dumps(body), status=status, content_type=JSON_CONTENT_TYPE)


def error_response(error: GoogleError) -> Response:
    """The HTTP answer for ``error`` (google-api-core raises the matching ``GoogleAPICallError``)."""
    return json_response(error.body(), error.http_status)


def error_from_cloud_error(exc: CloudError) -> GoogleError:
    """An engine's CloudError as the API's error: NotFound is ``NOT_FOUND``, Unsupported ``UNIMPLEMENTED``."""
    return GoogleError(STATUS_FOR_KIND[error_kind(exc)], exc.message)


def unmatched_answer(incoming: Incoming) -> Response:
    """501 ``UNIMPLEMENTED`` naming the method and path (for ``EmulatorApp(unmatched=...)``)."""
    request = incoming.request
    return error_response(
        GoogleError(
            "UNIMPLEMENTED",
            f"the local emulator does not implement {request.method} {incoming.mount}{incoming.path}",
        )
    )


def crashed_answer(incoming: Incoming, exc: BaseException) -> Response:
    """500 ``INTERNAL`` naming the exception (for ``EmulatorApp(crashed=...)``; the log has the traceback)."""
    message = (
        f"the local emulator failed on {incoming.request.method} {incoming.path}: {type(exc).__name__}: {exc}"
    )
    return error_response(GoogleError("INTERNAL", message))
