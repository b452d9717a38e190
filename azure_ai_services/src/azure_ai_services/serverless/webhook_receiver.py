"""A loopback webhook that answers Event Grid's validation handshake and hands notifications to callables."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent"
#: ``(path, event)`` -> None; raises when the target failed (the delivery is answered 500 and retried)
Receiver = Callable[[str, Mapping[str, Any]], None]
log = logging.getLogger(__name__)


class WebhookReceiver:
    """``http://127.0.0.1:{port}/{path}``: Event Grid schema deliveries for one process's callables."""

    def __init__(self, receive: Receiver) -> None:
        self.receive = receive
        handler = _handler_class(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="event-grid-webhook", daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{path.lstrip('/')}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler_class(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            try:
                events = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            except ValueError:
                self._answer(400, {"error": "the body is not JSON"})
                return
            if not isinstance(events, list):
                events = [events]
            for event in events:
                if isinstance(event, dict) and event.get("eventType") == VALIDATION_EVENT:
                    self._answer(200, {"validationResponse": event["data"]["validationCode"]})
                    return
            try:
                for event in events:
                    receiver.receive(self.path.lstrip("/"), event)
            except Exception as exc:  # noqa: BLE001 - the target failed: Event Grid retries the delivery
                log.exception("event target failed")
                self._answer(500, {"error": f"{type(exc).__name__}: {exc}"})
                return
            self._answer(200, {})

        def _answer(self, status: int, body: Mapping[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

    return Handler
