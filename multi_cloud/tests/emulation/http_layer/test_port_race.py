"""Two local clouds starting at once: the one that binds a preferred port second gets another port."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from multi_cloud.emulation.http.local_ca import ensure_local_tls
from multi_cloud.emulation.http.ports import LOOPBACK, bind_or_any, free_port
from multi_cloud.emulation.http.tls_front import TlsFront
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer


def ok_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process "won": something listens on it now."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind((LOOPBACK, 0))
    holder.listen(1)
    yield int(holder.getsockname()[1])
    holder.close()


def test_bind_or_any_falls_back_only_for_a_taken_port(taken_port: int) -> None:
    tried: list[int] = []

    def bind(port: int) -> socket.socket:
        tried.append(port)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            sock.close()
            raise
        return sock

    sock = bind_or_any(bind, taken_port)
    try:
        assert tried == [taken_port, 0]
        assert sock.getsockname()[1] != taken_port
    finally:
        sock.close()

    def refused(port: int) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(PermissionError):  # other bind errors are not a race: they still fail
        bind_or_any(refused, taken_port)


def test_wsgi_server_whose_port_was_taken_after_it_was_chosen_starts_elsewhere() -> None:
    chosen = free_port()
    server = ThreadedWSGIServer(ok_app, port=chosen)  # the port is picked here, bound in start()
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind((LOOPBACK, chosen))
    holder.listen(1)
    try:
        server.start()
        try:
            assert server.port != chosen
            with urllib.request.urlopen(f"{server.url}/", timeout=5) as response:  # noqa: S310
                assert response.read() == b"ok"
        finally:
            server.stop()
    finally:
        holder.close()


def test_tls_front_whose_port_was_taken_starts_elsewhere(tmp_path: Path, taken_port: int) -> None:
    tls = ensure_local_tls(tmp_path / "tls")
    front = TlsFront(1, tls.server_cert, tls.server_key)
    front.port = taken_port  # as if free_port had chosen it a moment before another process bound it
    front.start()
    try:
        assert front.port != taken_port
        assert front.url.endswith(f":{front.port}")
        with socket.create_connection((LOOPBACK, front.port), timeout=5):
            pass
    finally:
        front.stop()
