"""waitress, adjusted for the local cloud: request deadlines, errors in the provider's shape, raw paths.

waitress already bounds bodies and headers (413/431), reads chunked bodies incrementally (buffered to a
temporary file past 512 KiB, counted against the body limit), closes idle connections and caps
connections. This adds what it lacks: a deadline for a request's headers and one for its body (a
slowloris that trickles bytes never goes idle), its own errors rendered by the server's ``ErrorShape``,
``RAW_URI`` (the undecoded path, as werkzeug's server provides it) and, for chosen prefixes such as S3's
``x-amz-meta-``, headers whose names contain ``_`` (waitress drops those, as it should for all others).
"""

# waitress ships no types: its classes are Any to mypy
# mypy: disable-error-code="misc,has-type"

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import BadRequest

from multi_cloud.emulation.http.error_shapes import aws_json
from multi_cloud.emulation.http.limits import Limits
from multi_cloud.emulation.http.problems import TIMEOUT, ErrorShape, Problem, from_waitress, status_line

#: the environ key holding ``{environ key: header name as sent}`` for kept underscore headers
ORIGINAL_HEADER_NAMES = "cloudai.original_header_names"


class RequestTimeout(BadRequest):
    code = 408
    reason = "Request Timeout"


class DeadlineParser(HTTPRequestParser):
    """Remembers when the request began and when its headers ended; keeps chosen underscore headers."""

    underscore_prefixes: tuple[str, ...] = ()

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)
        self.started = time.monotonic()
        self.headers_done = 0.0
        self.original_names: dict[str, str] = {}

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        self.headers_done = time.monotonic()
        if self.underscore_prefixes:
            self._keep_underscore_headers(header_plus)

    def _keep_underscore_headers(self, header_plus: bytes) -> None:
        from waitress.parser import get_header_lines

        dashed = {key for key in self.headers}
        for line in get_header_lines(header_plus.partition(b"\r\n")[2]):
            name, colon, value = line.partition(b":")
            text = name.decode("latin-1")
            if not colon or "_" not in text or not text.lower().startswith(self.underscore_prefixes):
                continue
            key = text.upper().replace("-", "_")
            if key in dashed:  # never let an underscored header stand in for a dashed one
                continue
            stripped = value.strip(b" \t").decode("latin-1")
            self.headers[key] = f"{self.headers[key]}, {stripped}" if key in self.headers else stripped
            self.original_names["HTTP_" + key] = text


class ShapedErrorTask(ErrorTask):
    """waitress's own errors (bad framing, too large, crashed app) in the server's error shape."""

    def execute(self) -> None:
        problem = from_waitress(self.request.error)
        headers, body = self.channel.server.error_shape(problem, headers_environ(self.request))
        self.status = status_line(problem.status)
        self.response_headers.extend([*headers, ("Content-Length", str(len(body)))])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class RawPathTask(WSGITask):
    """Adds ``RAW_URI`` and the kept underscore header names to the environ; keeps header names' case.

    waitress capitalises response header names (``X-Amz-Meta-My_key``); botocore takes S3 metadata keys
    from them as sent, and S3 sends them in lower case.
    """

    def build_response_header(self) -> bytes:
        headers: list[tuple[str, str]] = self.response_headers
        sent = {_capitalized(name): name for name, _ in reversed(headers)}
        head: bytes = super().build_response_header()
        self.response_headers = [(sent.get(name, name), value) for name, value in self.response_headers]
        first, *lines = head.decode("latin-1").split("\r\n")
        restored = [
            f"{sent.get(name, name)}{sep}{value}"
            for name, sep, value in (line.partition(":") for line in lines)
        ]
        return "\r\n".join([first, *restored]).encode("latin-1")

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ.setdefault("RAW_URI", environ.get("REQUEST_URI", ""))
        names = getattr(self.request, "original_names", None)
        if names:
            environ[ORIGINAL_HEADER_NAMES] = dict(names)
        return environ


class LocalChannel(HTTPChannel):
    parser_class = DeadlineParser
    task_class = RawPathTask
    error_task_class = ShapedErrorTask


class LocalWaitressServer(TcpWSGIServer):
    """A waitress TCP server that also enforces header and body deadlines."""

    def __init__(self, app: Any, *, limits: Limits, error_shape: ErrorShape, **kw: Any) -> None:
        self.limits = limits
        self.error_shape = error_shape
        super().__init__(app, **kw)

    def maintenance(self, now: float) -> None:
        clock = time.monotonic()
        for channel in list(self.active_channels.values()):
            parser = channel.request
            if parser is None or channel.will_close or channel.close_when_flushed or channel.requests:
                continue
            reason = self._overdue(channel, parser, clock, now)
            if reason:
                _answer_and_close(channel, self.error_shape, reason)
        super().maintenance(now)

    def _overdue(self, channel: Any, parser: Any, clock: float, now: float) -> str:
        limits = self.limits
        if not parser.headers_finished and clock - parser.started > limits.header_timeout:
            return f"the request headers were not complete within {limits.header_timeout:g} s"
        if (
            parser.headers_finished
            and not parser.completed
            and clock - parser.headers_done > limits.body_timeout
        ):
            return f"the request body was not complete within {limits.body_timeout:g} s"
        if now - channel.last_activity > limits.idle_timeout:
            return f"nothing was received for {limits.idle_timeout:g} s"
        return ""


def build_server(
    app: Any,
    *,
    host: str,
    port: int,
    limits: Limits,
    error_shape: ErrorShape = aws_json,
    underscore_header_prefixes: tuple[str, ...] = (),
) -> LocalWaitressServer:
    """A bound (not yet running) server; ``run()`` serves until ``close``."""
    from waitress.adjustments import Adjustments

    channel: type = LocalChannel
    if underscore_header_prefixes:
        prefixes = tuple(p.lower() for p in underscore_header_prefixes)
        parser = type("PrefixedDeadlineParser", (DeadlineParser,), {"underscore_prefixes": prefixes})
        channel = type("PrefixedLocalChannel", (LocalChannel,), {"parser_class": parser})
    adj = Adjustments(host=host, port=port, ipv6=False, **limits.waitress_options())
    server = LocalWaitressServer(app, limits=limits, error_shape=error_shape, adj=adj)
    server.channel_class = channel
    return server


def headers_environ(parser: Any) -> dict[str, Any]:
    """A partial WSGI environ (headers, method, path) for a request waitress answers itself."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": str(getattr(parser, "command", "") or "GET").upper(),
        "PATH_INFO": str(getattr(parser, "path", "") or "/"),
    }
    for key, value in dict(getattr(parser, "headers", {}) or {}).items():
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    return environ


def _capitalized(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _answer_and_close(channel: Any, shape: ErrorShape, reason: str) -> None:
    """408 in the server's error shape, then close; the half-read request is dropped."""
    problem = Problem(408, TIMEOUT, f"Request Timeout: {reason}")
    environ: Mapping[str, Any] = headers_environ(channel.request)
    headers, body = shape(problem, environ)
    head = [f"HTTP/1.1 {status_line(408)}", *(f"{k}: {v}" for k, v in headers)]
    head += [f"Content-Length: {len(body)}", "Connection: close"]
    payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
    channel.request.close()
    channel.request = None
    with channel.outbuf_lock:
        channel.outbufs[-1].append(payload)
        channel.current_outbuf_count += len(payload)
        channel.total_outbufs_len += len(payload)
    channel.close_when_flushed = True
