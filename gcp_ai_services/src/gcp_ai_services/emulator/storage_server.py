"""gcp-storage-emulator's request handler served behind the local cloud's rules, in a background thread.

Its own server lets any web page drive it and drops the connection when a handler crashes; this one
refuses what :func:`multi_cloud.emulation.http.guard.refusal` refuses (a foreign ``Origin``, a cross-site
fetch, a foreign ``Host``) with 403, and answers a crash with 500 in Google's JSON error shape, so
google-cloud-storage reports it instead of retrying a dropped connection.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import partial
from http import server
from typing import Any

log = logging.getLogger("multi_cloud.emulation")


def guarded_handler_class() -> type:
    """A subclass of gcp-storage-emulator's handler that applies the guard and never drops a request."""
    from gcp_storage_emulator.server import RequestHandler, Router
    from multi_cloud.emulation.http.guard import refusal

    class GuardedRequestHandler(RequestHandler):  # type: ignore[misc]
        def _route(self, method: str) -> None:
            headers = {"HTTP_HOST": "Host", "HTTP_ORIGIN": "Origin", "HTTP_SEC_FETCH_SITE": "Sec-Fetch-Site"}
            environ = {key: self.headers[name] for key, name in headers.items() if name in self.headers}
            reason = refusal(environ)
            if reason:
                self._error(403, "PERMISSION_DENIED", reason)
                return
            try:
                Router(self).handle(method)
            except Exception as exc:  # noqa: BLE001 - answered, never a dropped connection
                log.exception("gcp-storage-emulator failed on %s %s", method, self.path)
                self._error(500, "INTERNAL", f"the local Cloud Storage failed: {type(exc).__name__}: {exc}")

        def _error(self, code: int, status: str, message: str) -> None:
            body = json.dumps({"error": {"code": code, "message": message, "status": status}}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's names
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._route("PUT")

        def do_PATCH(self) -> None:  # noqa: N802
            self._route("PATCH")

        def do_DELETE(self) -> None:  # noqa: N802
            self._route("DELETE")

    return GuardedRequestHandler


class StorageServer:
    """An in-memory gcp-storage-emulator on ``host:port`` (one request at a time, as upstream serves it)."""

    def __init__(self, host: str, port: int) -> None:
        from gcp_storage_emulator.storage import Storage

        self.storage: Any = Storage(use_memory_fs=True)
        self._httpd = server.HTTPServer((host, port), partial(guarded_handler_class(), self.storage))
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"gcs-{self.port}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which must be running
            self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def wipe(self) -> None:
        self.storage.wipe()
