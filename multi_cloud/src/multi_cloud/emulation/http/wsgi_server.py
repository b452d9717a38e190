"""Run a WSGI application on a loopback port in a background thread (for emulators)."""

from __future__ import annotations

import threading
from typing import Any

from multi_cloud.emulation.http.ports import LOOPBACK, free_port


class ThreadedWSGIServer:
    """A werkzeug server on 127.0.0.1 in a daemon thread; ``url`` is known once started."""

    def __init__(self, app: Any, *, port: int | None = None, host: str = LOOPBACK) -> None:
        self.app = app
        self.host = host
        self.port = free_port(port, host)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from werkzeug.serving import make_server

        self._server = make_server(self.host, self.port, self.app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"wsgi-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
