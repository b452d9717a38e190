"""Run a WSGI application on a loopback port in a background thread: waitress, guarded and bounded.

Every local server goes through here, so each one refuses web pages (:mod:`.guard`), bounds bodies,
headers, connections and read time (:mod:`.limits`), and answers what it refuses in the provider's error
shape (``error_shape``: :mod:`.error_shapes`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from multi_cloud.emulation.http.error_shapes import aws_json
from multi_cloud.emulation.http.limits import DEFAULT_LIMITS, Limits
from multi_cloud.emulation.http.ports import LOOPBACK, bind_or_any, free_port
from multi_cloud.emulation.http.problems import ErrorShape


class ThreadedWSGIServer:
    """A waitress server on 127.0.0.1 in a daemon thread; ``url`` is known once constructed."""

    def __init__(
        self,
        app: Any,
        *,
        port: int | None = None,
        host: str = LOOPBACK,
        limits: Limits = DEFAULT_LIMITS,
        error_shape: ErrorShape = aws_json,
        underscore_header_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.host = host
        self.port = free_port(port, host)
        self.limits = limits
        self.error_shape = error_shape
        self.underscore_header_prefixes = underscore_header_prefixes
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from multi_cloud.emulation.http.guard import LoopbackGuard
        from multi_cloud.emulation.http.waitress_server import build_server

        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under load
        guarded = LoopbackGuard(self.app, self.error_shape)
        self._server = bind_or_any(
            lambda port: build_server(
                guarded,
                host=self.host,
                port=port,
                limits=self.limits,
                error_shape=self.error_shape,
                underscore_header_prefixes=self.underscore_header_prefixes,
            ),
            self.port,
        )
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._serve, name=f"http-{self.port}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        server = self._server
        if server is not None:
            server.run()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            try:
                server.trigger.pull_trigger(lambda: _close_all(server))
            except OSError:  # the loop's wake-up pipe is gone: close from here
                _close_all(server)
            server.task_dispatcher.shutdown(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _close_all(server: Any) -> None:
    """In the server's own loop thread: close the listening socket and every connection."""
    for dispatcher in list(server._map.values()):  # noqa: SLF001 - waitress keeps its sockets there
        try:
            dispatcher.close()
        except OSError:
            pass
