"""Push delivery: a thread POSTs each push subscription's available messages to its loopback endpoint.

The body is Pub/Sub's push envelope ``{"message": {...}, "subscription": name}``; a 102, 200, 201, 202 or 204
answer acknowledges the message, anything else (or no answer) leaves it for redelivery after the ack
deadline. Endpoints must be loopback (``INVALID_ARGUMENT`` otherwise): the local cloud never calls out.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.pubsub.state import PubSubState

log = logging.getLogger("multi_cloud.emulation")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SUCCESS = frozenset({102, 200, 201, 202, 204})
PUSH_TIMEOUT_SECONDS = 30.0
BATCH = 10


def check_push_config(config: Any) -> dict[str, Any]:
    """``config`` with a loopback ``pushEndpoint`` (or none, a pull subscription); INVALID_ARGUMENT else."""
    if not isinstance(config, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid value at 'push_config': expected an object.")
    endpoint = config.get("pushEndpoint", "")
    if endpoint:
        parts = urlsplit(str(endpoint))
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"Invalid push endpoint given (endpoint={endpoint}): the local cloud pushes only to loopback "
                "URLs (http://127.0.0.1:PORT/...), never to the internet.",
            )
    return dict(config)


class Pusher:
    """One daemon thread delivering to every push subscription of ``state`` until ``stop``."""

    def __init__(self, state: PubSubState) -> None:
        self.state = state
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pubsub-push", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        with self.state.changed:
            self.state.changed.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.is_set():
            delivered = False
            for subscription in self.state.push_subscriptions():
                try:
                    leased = self.state.lease(subscription.name, BATCH)
                except GoogleError:  # deleted meanwhile
                    continue
                for received in leased:
                    delivered = True
                    if deliver(subscription.push_endpoint, subscription.name, received["message"]):
                        self.state.acknowledge(subscription.name, [received["ackId"]])
            if not delivered:
                self.state.wait_for_messages(0.5)


def deliver(endpoint: str, subscription: str, message: dict[str, Any]) -> bool:
    """POST one push envelope; True when the endpoint acknowledged it."""
    body = json.dumps(
        {
            "message": {
                **message,
                "message_id": message["messageId"],
                "publish_time": message["publishTime"],
            },
            "subscription": subscription,
        }
    )
    request = urllib.request.Request(
        endpoint, data=body.encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=PUSH_TIMEOUT_SECONDS) as response:  # noqa: S310 - loopback
            return int(response.status) in SUCCESS
    except urllib.error.HTTPError as exc:
        return exc.code in SUCCESS
    except OSError as exc:
        log.info("push to %s for %s failed: %s", endpoint, subscription, exc)
        return False
