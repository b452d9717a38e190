"""Per-minute request quotas per API, as Google enforces them: over the limit is ``RESOURCE_EXHAUSTED``.

The defaults are Google's published per-project "requests per minute" quotas; a test (or a learner who wants
to see a 429) lowers one with ``Quotas.set_limit("vision.googleapis.com", 2)``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

WINDOW_SECONDS = 60.0
#: service -> requests per minute (Google's default quotas, 2026)
DEFAULT_LIMITS: dict[str, int] = {
    "vision.googleapis.com": 1800,
    "language.googleapis.com": 600,
    "translate.googleapis.com": 6000,
    "speech.googleapis.com": 3000,
    "texttospeech.googleapis.com": 1000,
}


def consumer(request: Any, parent: str = "") -> str:
    """The project a request is charged to: its parent's, else ``X-Goog-User-Project``, else "anonymous"."""
    if parent.startswith("projects/"):
        return parent.split("/")[1]
    return str(request.headers.get("X-Goog-User-Project") or "anonymous")


class Quotas:
    """A sliding one-minute window of request times per service."""

    def __init__(self) -> None:
        self._limits = dict(DEFAULT_LIMITS)
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def set_limit(self, service: str, per_minute: int) -> None:
        with self._lock:
            self._limits[service] = per_minute

    def reset(self) -> None:
        with self._lock:
            self._limits = dict(DEFAULT_LIMITS)
            self._calls.clear()

    def charge(self, service: str, project: str) -> None:
        """Count one request; ``RESOURCE_EXHAUSTED`` (HTTP 429) when the minute's quota is used up."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(service, deque())
            while calls and now - calls[0] >= WINDOW_SECONDS:
                calls.popleft()
            limit = self._limits.get(service, 0)
            if limit and len(calls) >= limit:
                raise GoogleError(
                    "RESOURCE_EXHAUSTED",
                    f"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service "
                    f"'{service}' for consumer 'project:{project}' ({limit} per minute).",
                    details=[
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "RATE_LIMIT_EXCEEDED",
                            "domain": "googleapis.com",
                            "metadata": {"service": service, "consumer": f"projects/{project}"},
                        }
                    ],
                )
            calls.append(now)
