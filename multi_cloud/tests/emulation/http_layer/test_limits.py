"""Bounded requests: the chunked bomb leaves memory flat, stalled connections close, big bodies get 413."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from multi_cloud.emulation.http.limits import DEFAULT_LIMITS, MOTO_LIMITS, Limits
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.testing.fuzz.runner import rss_bytes
from multi_cloud.testing.fuzz.shapes import has_aws_error_shape
from multi_cloud.testing.fuzz.targets import Target
from multi_cloud.testing.fuzz.wire import RawRequest, build, exchange

#: the issue's reproducer: a chunk size of 2**64-1, three bytes, then the client goes away
CHUNKED_BOMB = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc"
)
#: limits short enough for a test to watch them act
QUICK = Limits(
    max_body_bytes=1024 * 1024, idle_timeout=2.0, header_timeout=1.0, body_timeout=3.0, sweep_interval=1.0
)


def ok_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


@pytest.fixture
def quick_server() -> Iterator[ThreadedWSGIServer]:
    server = ThreadedWSGIServer(ok_app, limits=QUICK)
    server.start()
    yield server
    server.stop()


def closed_after(
    port: int, first: bytes, *, trickle: bool = False, limit: float = 40.0
) -> tuple[float, bytes]:
    """Seconds until the server ends a connection that sent ``first`` and then stalled (or trickled)."""
    started = time.monotonic()
    received = b""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(first)
        sock.settimeout(0.3)
        while time.monotonic() - started < limit:
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                if trickle:
                    sock.sendall(b"a")
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    return time.monotonic() - started, received


@pytest.mark.parametrize("name", ["moto", "aws_ai"])
def test_the_chunked_bomb_leaves_memory_flat(name: str, request: pytest.FixtureRequest) -> None:
    target: Target = request.getfixturevalue(name)
    exchange(target.host, target.port, target.valid_request())  # warm up
    before = rss_bytes()
    for _ in range(50):
        with socket.create_connection((target.host, target.port)) as sock:
            sock.sendall(CHUNKED_BOMB)
    time.sleep(0.5)
    assert rss_bytes() - before < 16 * 2**20
    assert exchange(target.host, target.port, target.valid_request()).status == 200


def test_a_connection_stalled_mid_header_is_closed(quick_server: ThreadedWSGIServer) -> None:
    seconds, answer = closed_after(quick_server.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert seconds < QUICK.header_timeout + QUICK.sweep_interval + 1.5
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_slowloris_trickling_header_bytes_is_closed(quick_server: ThreadedWSGIServer) -> None:
    seconds, answer = closed_after(quick_server.port, b"GET / HTTP/1.1\r\nX-Slow: ", trickle=True)
    assert seconds < QUICK.header_timeout + QUICK.sweep_interval + 1.5
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_body_that_stops_arriving_is_closed(quick_server: ThreadedWSGIServer) -> None:
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{}"
    seconds, answer = closed_after(quick_server.port, head)
    assert seconds < QUICK.idle_timeout + QUICK.sweep_interval + 1.5
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_the_local_cloud_closes_stalled_connections_within_30_seconds() -> None:
    for limits in (DEFAULT_LIMITS, MOTO_LIMITS):
        assert max(limits.header_timeout, limits.idle_timeout) + limits.sweep_interval < 30


@pytest.mark.parametrize("name", ["moto", "aws_ai"])
def test_an_oversize_body_gets_413_in_the_aws_shape(name: str, request: pytest.FixtureRequest) -> None:
    target: Target = request.getfixturevalue(name)
    head = build("POST", target.path, [*target.headers(), ("Content-Length", str(target.max_body_bytes + 1))])
    answer = exchange(target.host, target.port, RawRequest(head))
    assert answer.status == 413
    assert has_aws_error_shape(answer, "json")


def test_an_oversize_chunked_body_gets_413(quick_server: ThreadedWSGIServer) -> None:
    block = b"100000\r\n" + b"a" * 0x100000 + b"\r\n"
    head = build("POST", "/", [("Host", "127.0.0.1"), ("Transfer-Encoding", "chunked")])
    answer = exchange(
        "127.0.0.1", quick_server.port, RawRequest(head, block=block, times=3, rest=b"0\r\n\r\n")
    )
    assert answer.status == 413 or answer.dropped  # the server may close while the client still sends


def test_headers_over_the_limit_get_431(quick_server: ThreadedWSGIServer) -> None:
    answer = exchange("127.0.0.1", quick_server.port, RawRequest(build("GET", "/", {"X-Pad": "a" * 70_000})))
    assert answer.status == 431
    assert has_aws_error_shape(answer, "json")


def test_a_body_within_the_limit_is_served(quick_server: ThreadedWSGIServer) -> None:
    body = b"a" * (QUICK.max_body_bytes - 1)
    answer = exchange(
        "127.0.0.1", quick_server.port, RawRequest(build("POST", "/", {"Host": "127.0.0.1"}, body))
    )
    assert answer.status == 200
