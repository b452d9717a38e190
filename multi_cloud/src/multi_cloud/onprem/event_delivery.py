"""Delivery machinery for on-prem events: retries with exponential backoff, a persisted dead-letter store."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.onprem.atomic_files import write_bytes


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` tries in all, waiting ``initial_backoff_seconds * multiplier**(n-1)`` (capped)
    after the n-th failure."""

    max_attempts: int = 3
    initial_backoff_seconds: float = 0.05
    multiplier: float = 2.0
    max_backoff_seconds: float = 2.0

    def delay(self, failed_attempts: int) -> float:
        return min(
            self.initial_backoff_seconds * self.multiplier ** (failed_attempts - 1), self.max_backoff_seconds
        )


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: bool
    attempts: int
    last_error: str = ""


def deliver_with_retries(send: Callable[[], str], policy: RetryPolicy) -> DeliveryOutcome:
    """Call ``send`` (returns "" on success, else the error text) until it succeeds or attempts run out."""
    error = ""
    for attempt in range(1, policy.max_attempts + 1):
        error = send()
        if not error:
            return DeliveryOutcome(True, attempt)
        if attempt < policy.max_attempts:
            time.sleep(policy.delay(attempt))
    return DeliveryOutcome(False, policy.max_attempts, error)


@dataclass(frozen=True)
class DeadLetter:
    """An event that could not be delivered to a rule's target after every retry."""

    id: str
    bus: str
    rule: str
    target: str  # "function:NAME" or "callable:module.qualname"
    event: Mapping[str, Any]  # the EventBridge envelope
    attempts: int
    last_error: str
    failed_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())


class DeadLetterStore:
    """Dead letters as JSON lines in one file; appends are fsynced, rewrites are atomic."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(
        self, bus: str, rule: str, target: str, event: Mapping[str, Any], outcome: DeliveryOutcome
    ) -> DeadLetter:
        letter = DeadLetter(
            uuid.uuid4().hex, bus, rule, target, dict(event), outcome.attempts, outcome.last_error
        )
        line = json.dumps(asdict(letter)).encode() + b"\n"
        with self._lock, open(self.path, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        return letter

    def letters(self, bus: str | None = None) -> list[DeadLetter]:
        with self._lock:
            letters = self._read()
        return [letter for letter in letters if bus is None or letter.bus == bus]

    def settle(self, delivered: Iterable[str], retried: Mapping[str, DeliveryOutcome]) -> None:
        """Drop ``delivered`` letters; record the new attempts and error of ``retried`` ones."""
        gone = set(delivered)
        with self._lock:
            kept = []
            for letter in self._read():
                if letter.id in gone:
                    continue
                if letter.id in retried:
                    outcome = retried[letter.id]
                    letter = replace(
                        letter, attempts=letter.attempts + outcome.attempts, last_error=outcome.last_error
                    )
                kept.append(letter)
            write_bytes(self.path, b"".join(json.dumps(asdict(item)).encode() + b"\n" for item in kept))

    def _read(self) -> list[DeadLetter]:
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return []
        letters = []
        for line in lines:
            try:
                letters.append(DeadLetter(**json.loads(line)))
            except (ValueError, TypeError):
                continue  # a torn final line from a crash mid-append
        return letters
