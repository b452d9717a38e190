"""HTTPS in front of a loopback WSGI server: TLS terminated here, bytes relayed to the plain port.

waitress speaks no TLS; this front accepts TLS connections on its own loopback port, completes the
handshake with the local CA's server certificate (:mod:`.local_ca`) and relays each connection to the
guarded, bounded waitress server, which keeps doing all HTTP work (limits, loopback guard, error shapes).
:class:`HttpsScheme` tells the WSGI app its public scheme is ``https`` (for URLs it puts in answers).
"""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from multi_cloud.emulation.http.ports import LOOPBACK, bind_or_any, free_port

log = logging.getLogger("multi_cloud.emulation.tls")
HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 120.0
MAX_CONNECTIONS = 200
CHUNK = 64 * 1024


class HttpsScheme:
    """WSGI middleware: the app runs behind :class:`TlsFront`, so its URLs are ``https``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = "https"
        environ["HTTPS"] = "on"
        return self.app(environ, start_response)  # type: ignore[no-any-return]


class TlsFront:
    """Accept TLS on ``127.0.0.1:port`` and relay each connection to ``127.0.0.1:target_port``."""

    def __init__(self, target_port: int, cert_file: Path, key_file: Path, *, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = free_port(port)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._context.load_cert_chain(str(cert_file), str(key_file))
        self._listener: socket.socket | None = None
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        listener = bind_or_any(_listening_socket, self.port)
        self.port = int(listener.getsockname()[1])
        listener.settimeout(0.5)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name=f"tls-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._slots.acquire(blocking=False):
                client.close()  # over the connection cap: refuse, as waitress does past its limit
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(HANDSHAKE_TIMEOUT)
            with (
                self._context.wrap_socket(client, server_side=True) as secure,
                socket.create_connection((LOOPBACK, self.target_port), timeout=HANDSHAKE_TIMEOUT) as plain,
            ):
                for end in (secure, plain):  # relay each piece at once: no Nagle / delayed-ACK stalls
                    end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    end.settimeout(IDLE_TIMEOUT)
                _relay(secure, plain)
        except (OSError, ssl.SSLError) as exc:  # a failed handshake or a peer gone: nothing to answer
            log.debug("TLS connection ended: %s", exc)
        finally:
            client.close()
            self._slots.release()


def _relay(secure: ssl.SSLSocket, plain: socket.socket) -> None:
    """Copy bytes both ways until either side closes or stays idle past ``IDLE_TIMEOUT``."""
    while True:
        if secure.pending():
            ready: list[socket.socket] = [secure]
        else:
            ready, _, _ = select.select([secure, plain], [], [], IDLE_TIMEOUT)
        if not ready:
            return
        for source in ready:
            target = plain if source is secure else secure
            data = source.recv(CHUNK)
            if not data:
                return
            target.sendall(data)


def _listening_socket(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener
