"""Provider-neutral problems the HTTP layer answers itself (refused, too large, malformed, crashed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: neutral problem codes; each error shape maps them to its provider's own codes
FORBIDDEN = "Forbidden"
PAYLOAD_TOO_LARGE = "PayloadTooLarge"
HEADERS_TOO_LARGE = "HeadersTooLarge"
MALFORMED = "Malformed"
INVALID = "Invalid"
UNKNOWN_ROUTE = "UnknownRoute"
NOT_IMPLEMENTED = "NotImplemented"
TIMEOUT = "RequestTimeout"
INTERNAL = "Internal"


@dataclass(frozen=True)
class Problem:
    """An HTTP status, a neutral code (above) and a message for the client."""

    status: int
    code: str
    message: str


#: headers (content type included) and body of an error answer
Answer = tuple[list[tuple[str, str]], bytes]

#: renders a problem in a provider's error format; ``environ`` is the request's WSGI environ (possibly
#: partial: only headers when the server answers before the app runs)
ErrorShape = Callable[[Problem, Mapping[str, Any]], Answer]

_WAITRESS_CODES = {400: MALFORMED, 413: PAYLOAD_TOO_LARGE, 431: HEADERS_TOO_LARGE, 501: NOT_IMPLEMENTED}


def from_waitress(error: Any) -> Problem:
    """The problem behind one of waitress's own errors (``waitress.utilities.Error``)."""
    status = int(error.code)
    detail = str(getattr(error, "body", "") or "").strip()
    message = f"{error.reason}: {detail}" if detail else str(error.reason)
    return Problem(status, _WAITRESS_CODES.get(status, INTERNAL), message)


def status_line(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"
