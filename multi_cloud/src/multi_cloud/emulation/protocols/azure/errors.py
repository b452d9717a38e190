"""Azure error bodies azure-core parses (ODataV4): ``{"error": {"code", "message", "target", "details"}}``.

The code also goes in ``x-ms-error-code``, as the data-plane services send it. Each service names its codes
its own way; :class:`ErrorCodes` holds ARM's defaults for the portable error kinds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.error_kinds import ErrorKind, error_kind

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class AzureError(Exception):
    """An Azure error answer: HTTP ``status``, ``code`` (``ResourceNotFound``), message, target, details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str = "",
        details: Sequence[AzureError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"({code}) {message}")
        self.headers = dict(headers or {})  # e.g. a 401's WWW-Authenticate challenge
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = list(details)

    def error(self) -> dict[str, Any]:
        """The inner ``error`` object (also the ``error`` of a failed operation's status resource)."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        if self.details:
            error["details"] = [detail.error() for detail in self.details]
        return error


@dataclass(frozen=True)
class ErrorCodes:
    """(status, code) for each portable error kind; override per service (e.g. ``InvalidRequest``)."""

    invalid: tuple[int, str] = (400, "BadRequest")
    not_found: tuple[int, str] = (404, "ResourceNotFound")
    conflict: tuple[int, str] = (409, "Conflict")
    denied: tuple[int, str] = (403, "AuthorizationFailed")
    throttled: tuple[int, str] = (429, "TooManyRequests")
    unavailable: tuple[int, str] = (503, "ServiceUnavailable")
    unsupported: tuple[int, str] = (501, "NotImplemented")

    def for_kind(self, kind: ErrorKind) -> tuple[int, str]:
        return getattr(self, kind)  # type: ignore[no-any-return]


ARM_CODES = ErrorCodes()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    from werkzeug.wrappers import Response

    text = "" if body is None else json.dumps(body)
    return Response(text, status=status, headers=headers or {}, content_type=JSON_CONTENT_TYPE)


def error_response(error: AzureError) -> Response:
    """The HTTP answer for ``error``: azure-core's ``HttpResponseError`` reads its code and message."""
    return json_response(
        {"error": error.error()}, error.status, {**error.headers, "x-ms-error-code": error.code}
    )


def error_from_cloud_error(exc: CloudError, codes: ErrorCodes = ARM_CODES) -> AzureError:
    """An engine's CloudError as the service's error: NotFound is 404 ``ResourceNotFound``, ..."""
    status, code = codes.for_kind(error_kind(exc))
    return AzureError(status, code, exc.message)


def unmatched_answer(incoming: Incoming) -> Response:
    """501 ``NotImplemented`` naming the method and path (for ``EmulatorApp(unmatched=...)``)."""
    request = incoming.request
    return error_response(
        AzureError(
            501,
            "NotImplemented",
            f"the local emulator does not implement {request.method} {incoming.mount}{incoming.path}",
        )
    )


def crashed_answer(incoming: Incoming, exc: BaseException) -> Response:
    """500 ``InternalServerError`` naming the exception (for ``EmulatorApp(crashed=...)``)."""
    return error_response(
        AzureError(
            500,
            "InternalServerError",
            f"the local emulator failed on {incoming.request.method} {incoming.path}: "
            f"{type(exc).__name__}: {exc}",
        )
    )
