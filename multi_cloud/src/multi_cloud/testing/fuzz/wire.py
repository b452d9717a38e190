"""A raw HTTP/1.1 client on a socket: sends exactly the bytes given, reports what came back (or didn't)."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

#: the client's own limit on an answer it reads (answers to fuzz requests are small)
MAX_ANSWER_BYTES = 8 * 1024 * 1024


@dataclass
class Answer:
    """What one request got: a parsed response, a dropped connection, or nothing within the timeout."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    dropped: bool = False
    hung: bool = False
    seconds: float = 0.0

    @property
    def answered(self) -> bool:
        return self.status > 0

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass(frozen=True)
class RawRequest:
    """Bytes to send; ``then_close`` half-closes after sending (the client goes away mid-request)."""

    payload: bytes
    then_close: bool = False
    pause_after: float = 0.0
    rest: bytes = b""
    #: ``block`` sent ``times`` times after the payload (large bodies without holding them in memory)
    block: bytes = b""
    times: int = 0


def exchange(host: str, port: int, request: RawRequest, *, timeout: float = 10.0) -> Answer:
    """Send ``request`` on a fresh connection and read one response."""
    started = time.monotonic()
    answer = Answer()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            try:
                _send(sock, request)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered early (e.g. 413) and closed: read what it said
            raw = _read_response(sock, started + timeout)
    except TimeoutError:
        answer.hung = True
    except OSError:
        answer.dropped = True
    else:
        if raw is None:
            answer.dropped = True
        else:
            answer.status, answer.headers, answer.body = raw
    answer.seconds = time.monotonic() - started
    return answer


def build(
    method: str, path: str, headers: list[tuple[str, str]] | dict[str, str], body: bytes = b""
) -> bytes:
    """A request with ``Content-Length`` (unless already framed) and ``Connection: close``."""
    items = list(headers.items()) if isinstance(headers, dict) else list(headers)
    names = {name.lower() for name, _ in items}
    if (
        "content-length" not in names
        and "transfer-encoding" not in names
        and (body or method in ("POST", "PUT"))
    ):
        items.append(("Content-Length", str(len(body))))
    if "connection" not in names:
        items.append(("Connection", "close"))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in items) + "\r\n"
    return head.encode("latin-1", "replace") + body


def _send(sock: socket.socket, request: RawRequest) -> None:
    sock.sendall(request.payload)
    for _ in range(request.times):
        sock.sendall(request.block)
    if request.pause_after:
        time.sleep(request.pause_after)
    if request.rest:
        sock.sendall(request.rest)
    if request.then_close:
        sock.shutdown(socket.SHUT_WR)


def _read_response(sock: socket.socket, deadline: float) -> tuple[int, dict[str, str], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _recv(sock, deadline)
        if not chunk:
            return None
        data += chunk
        if len(data) > MAX_ANSWER_BYTES:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, _read_body(sock, deadline, headers, body)


def _read_body(sock: socket.socket, deadline: float, headers: dict[str, str], body: bytes) -> bytes:
    if "content-length" in headers:
        wanted = int(headers["content-length"] or 0)
        while len(body) < wanted:
            chunk = _recv(sock, deadline)
            if not chunk:
                break
            body += chunk
        return body[:wanted]
    while len(body) < MAX_ANSWER_BYTES:  # chunked or close-delimited: read to the end
        chunk = _recv(sock, deadline)
        if not chunk:
            break
        body += chunk
    return _dechunk(body) if "chunked" in headers.get("transfer-encoding", "").lower() else body


def _recv(sock: socket.socket, deadline: float) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    sock.settimeout(remaining)
    try:
        return sock.recv(65536)
    except ConnectionResetError:
        return b""


def _dechunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0] or b"0", 16)
        except ValueError:
            return out
        if size == 0:
            return out
        out, rest = out + rest[:size], rest[size + 2 :]
    return out
