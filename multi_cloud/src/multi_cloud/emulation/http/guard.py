"""Only this machine's programs may talk to a local server: refuse web pages and DNS rebinding.

A web page the learner visits can send requests to 127.0.0.1; the local cloud runs code (Lambda), so
such a request must not reach any service. Browsers mark their requests and SDKs do not, so the guard
refuses, before the application sees it, a request whose

- ``Origin`` is not a loopback origin (``null`` included: sandboxed frames and ``file:`` pages),
- ``Sec-Fetch-Site`` is ``cross-site``,
- ``Host`` does not name this machine (DNS rebinding: a foreign name that resolves to 127.0.0.1),

with 403 in the provider's error shape, and strips every ``Access-Control-*`` header from answers to
requests without a loopback ``Origin`` (no permissive CORS). This keeps web pages out; it is not a
boundary against programs already running on this machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from multi_cloud.emulation.http.loopback import is_loopback_host, is_loopback_origin
from multi_cloud.emulation.http.problems import FORBIDDEN, ErrorShape, Problem, status_line

log = logging.getLogger("multi_cloud.emulation.guard")


def refusal(environ: dict[str, Any]) -> str:
    """Why the request must be refused, or "" when it may pass."""
    host = environ.get("HTTP_HOST")
    if host is not None and not is_loopback_host(str(host)):
        return f"Host {str(host)[:100]!r} is not this machine (the local cloud answers only on loopback)"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and not is_loopback_origin(str(origin)):
        return f"requests from web pages ({str(origin)[:100]}) may not use the local cloud"
    if str(environ.get("HTTP_SEC_FETCH_SITE", "")).strip().lower() == "cross-site":
        return "cross-site requests from web pages may not use the local cloud"
    return ""


class LoopbackGuard:
    """WSGI middleware: refuse foreign origins, cross-site fetches and foreign hosts; no permissive CORS."""

    def __init__(self, app: Any, error_shape: ErrorShape) -> None:
        self.app = app
        self.error_shape = error_shape

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reason = refusal(environ)
        if reason:
            log.warning("refused %s %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), reason)
            headers, body = self.error_shape(Problem(403, FORBIDDEN, reason), environ)
            start_response(status_line(403), [*headers, ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("HTTP_ORIGIN") is not None:  # a loopback page: its CORS headers may stay
            return self.app(environ, start_response)  # type: ignore[no-any-return]

        def without_cors(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept, exc_info) if exc_info else start_response(status, kept)

        return self.app(environ, without_cors)  # type: ignore[no-any-return]
