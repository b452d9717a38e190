"""WSGI middleware for third-party apps (moto): a crash or an HTML error page becomes the provider's error.

moto raises on input it cannot handle (the connection then ends in a bare 500 or nothing at all) and
Flask answers unknown routes with HTML pages; an SDK can parse neither. This filter answers instead, in
``error_shape``: input that cannot be decoded (bad JSON or XML, bad UTF-8, nesting too deep) is 400
``Malformed``; a lookup or conversion that failed on the request's values (``KeyError``, ``TypeError``,
``ValueError``, ``IndexError``, ``AttributeError``, ``OverflowError``: in practice a missing member, a
wrong type or a huge number that moto does not validate) is 400 ``Invalid``, naming the error;
``NotImplementedError`` is 501; anything else is 500 ``Internal`` (which SDKs retry). An error with an
empty body (moto's 404 for a request naming no action) is answered by its status. Answers the app
already shaped pass untouched; so do successful ones, streamed.
"""

from __future__ import annotations

import binascii
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from multi_cloud.emulation.http.problems import (
    INTERNAL,
    INVALID,
    MALFORMED,
    NOT_IMPLEMENTED,
    PAYLOAD_TOO_LARGE,
    UNKNOWN_ROUTE,
    ErrorShape,
    Problem,
    status_line,
)

log = logging.getLogger("multi_cloud.emulation.error_filter")

#: error bodies longer than this are passed through without a look (HTML error pages are small)
INSPECT_BYTES = 64 * 1024


def problem_for_exception(
    exc: BaseException, who: str = "the server", parsing_modules: tuple[str, ...] = ()
) -> Problem:
    """The client-facing problem behind an exception that escaped an app.

    Whatever an app's request parser (a module in ``parsing_modules``) raises is the request's fault.
    """
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    name = f"{type(exc).__name__}: {str(exc)[:300]}"
    if type(exc).__name__ == "OperationNotFoundError":  # botocore's, raised by moto for unknown targets
        return Problem(400, UNKNOWN_ROUTE, f"{who} knows no operation {str(exc)[:200]!r}")
    if isinstance(
        exc, (json.JSONDecodeError, UnicodeError, RecursionError, binascii.Error, ExpatError, ParseError)
    ):
        return Problem(400, MALFORMED, f"{who} could not decode the request ({name})")
    if parsing_modules and _raised_in(exc, parsing_modules):
        return Problem(400, INVALID, f"{who} could not read the request's values ({name})")
    if isinstance(exc, NotImplementedError):
        return Problem(501, NOT_IMPLEMENTED, f"{who} does not implement this request ({name})")
    if isinstance(exc, (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError)):
        return Problem(400, INVALID, f"{who} could not process the request's values ({name})")
    return Problem(500, INTERNAL, f"{who} failed on this request ({name})")


def problem_for_status(status: int, method: str, path: str) -> Problem:
    """The problem behind an error answer by its status alone (Flask's HTML pages, empty bodies)."""
    if status in (404, 405):
        return Problem(status, UNKNOWN_ROUTE, f"no operation is served at {method} {path[:200]}")
    if status == 413:
        return Problem(status, PAYLOAD_TOO_LARGE, "the request body is too large")
    if status == 400:
        return Problem(status, MALFORMED, f"the request to {method} {path[:200]} could not be decoded")
    if 400 <= status < 500:
        return Problem(status, INVALID, f"the request to {method} {path[:200]} was refused ({status})")
    return Problem(status, INTERNAL, f"the server failed on {method} {path[:200]} ({status})")


class ErrorFilter:
    """Wrap ``app`` so every exception and HTML error page becomes an answer in ``error_shape``."""

    def __init__(
        self,
        app: Any,
        error_shape: ErrorShape,
        *,
        who: str = "the server",
        parsing_modules: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.error_shape = error_shape
        self.who = who
        self.parsing_modules = parsing_modules

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        held: dict[str, Any] = {}
        buffered: list[bytes] = []

        def hold_errors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if _status_code(status) < 400:
                held["passed"] = True
                return (
                    start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
                )
            held["status"], held["headers"] = status, headers
            return buffered.append

        try:
            result = self.app(environ, hold_errors)
            if held.get("passed"):
                return result  # type: ignore[no-any-return]
            chunks = iter(result)
            first = next(chunks, b"")  # a lazy app calls start_response on first iteration
            if held.get("passed"):
                return _chain(first, chunks, result)
            body = b"".join(buffered) + first + _read_up_to(chunks, INSPECT_BYTES)
            _close(result)
        except Exception as exc:  # noqa: BLE001 - every failure still gets an HTTP answer
            if held.get("passed"):
                raise  # the answer has begun: nothing better than ending it
            problem = problem_for_exception(exc, self.who, self.parsing_modules)
            where = (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), problem.status)
            if problem.status == 500:  # a true fault: worth a traceback
                log.warning("%s failed on %s %s (answered %s)", self.who, *where, exc_info=True)
            else:
                log.info("%s refused %s %s (answered %s): %s", self.who, *where, exc)
            return self._answer(problem, environ, start_response)
        status, headers = held.get("status", "500 Internal Server Error"), held.get("headers", [])
        method = environ.get("REQUEST_METHOD", "")
        if _is_html_page(headers, body) or not held or (not body.strip() and method != "HEAD"):
            problem = problem_for_status(_status_code(status), method, environ.get("PATH_INFO", ""))
            return self._answer(problem, environ, start_response)
        start_response(status, headers)
        return [body]

    def _answer(
        self, problem: Problem, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        headers, body = self.error_shape(problem, environ)
        start_response(status_line(problem.status), [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _raised_in(exc: BaseException, modules: tuple[str, ...]) -> bool:
    traceback = exc.__traceback__
    while traceback is not None:
        if str(traceback.tb_frame.f_globals.get("__name__", "")).startswith(modules):
            return True
        traceback = traceback.tb_next
    return False


def _status_code(status: str) -> int:
    try:
        return int(status.split(" ", 1)[0])
    except ValueError:
        return 500


def _is_html_page(headers: list[tuple[str, str]], body: bytes) -> bool:
    start = body[:200].lstrip().lower()
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "").lower()
    return start.startswith((b"<!doctype html", b"<html")) or (
        content_type.startswith("text/html") and b"<title>" in start
    )


def _read_up_to(chunks: Any, limit: int) -> bytes:
    parts, size = [], 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            parts.extend(chunks)  # too long to be an error page: pass it on whole
            break
    return b"".join(parts)


def _chain(first: bytes, rest: Any, result: Any) -> Iterable[bytes]:
    try:
        yield first
        yield from rest
    finally:
        _close(result)


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
