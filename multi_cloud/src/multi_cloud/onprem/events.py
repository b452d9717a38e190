"""OnPremEvents: an EventBridge-like bus with pattern rules, at-least-once delivery, retries and dead letters.

Rules live per bus (buses exist implicitly); a rule's target is a deployed function's name (invoked with
the EventBridge envelope: version, id, detail-type, source, account, time, region, resources, detail) or a
Python callable (called with the :class:`~multi_cloud.core.types.Event`, id and time filled in).

Delivery happens before ``publish`` returns (EventBridge delivers asynchronously; don't rely on either).
Each matched target is tried up to ``RetryPolicy.max_attempts`` times with exponential backoff; a handler
error, timeout or exception counts as a failure. What still fails goes to the dead-letter store
(``root/dead_letters.jsonl``: event, target, attempts, last error), from which :meth:`OnPremEvents.redrive`
delivers again. At-least-once: each delivery is first written to ``root/outbox/`` and removed only when
delivered or dead-lettered, so after a crash :meth:`OnPremEvents.recover_pending` delivers what was in
flight (a target may then see an event twice). Rules with function targets persist in ``root/rules.json``;
callable targets live only in this process.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.base import EventService, FunctionService
from multi_cloud.core.envelopes import event_from_envelope, eventbridge_envelope
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.types import Event, EventTarget, PublishResult
from multi_cloud.onprem import event_patterns
from multi_cloud.onprem.atomic_files import write_json
from multi_cloud.onprem.event_delivery import (
    DeadLetter,
    DeadLetterStore,
    DeliveryOutcome,
    RetryPolicy,
    deliver_with_retries,
)

MAX_EVENT_BYTES = 256 * 1024
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Rule:
    bus: str
    name: str
    pattern: Mapping[str, Any]
    target: EventTarget

    @property
    def target_label(self) -> str:
        if isinstance(self.target, str):
            return f"function:{self.target}"
        module = getattr(self.target, "__module__", "") or ""
        return f"callable:{module}.{getattr(self.target, '__qualname__', repr(self.target))}"


class OnPremEvents(EventService):
    """Rules with EventBridge patterns route published events to functions or callables."""

    def __init__(
        self,
        provider: str,
        root: Path,
        functions: FunctionService,
        *,
        retry: RetryPolicy | None = None,
        account: str = "000000000000",
        region: str = "local",
    ) -> None:
        super().__init__(provider)
        self.root = Path(root)
        (self.root / "outbox").mkdir(parents=True, exist_ok=True)
        self.functions = functions
        self.retry = retry or RetryPolicy()
        self.account = account
        self.region = region
        self.dead_letter_store = DeadLetterStore(self.root / "dead_letters.jsonl")
        self._lock = threading.Lock()
        self._rules: dict[tuple[str, str], Rule] = self._load_rules()

    # ------------------------------------------------------------------ rules
    def put_rule(self, bus: str, rule: str, pattern: Mapping[str, Any], target: EventTarget) -> None:
        """Create or replace ``rule`` on ``bus``."""
        _check_name("bus", bus)
        _check_name("rule", rule)
        event_patterns.validate_pattern(pattern)
        if isinstance(target, str):
            deployed = {f.name for f in self.functions.list_functions()}
            if target not in deployed:
                raise NotFound(
                    f"rule {rule!r} targets function {target!r}, which is not deployed; deploy it first "
                    f"(deployed: {', '.join(sorted(deployed)) or 'none'})",
                    provider=self.provider,
                    operation="events.put_rule",
                )
        elif not callable(target):
            raise InvalidArgument(
                f"target must be a function name or a callable, not {type(target).__name__}"
            )
        with self._lock:
            self._rules[(bus, rule)] = Rule(bus, rule, json.loads(json.dumps(pattern)), target)
            self._save_rules()

    def delete_rule(self, bus: str, rule: str) -> None:
        with self._lock:
            if self._rules.pop((bus, rule), None) is None:
                raise NotFound(
                    f"no rule {rule!r} on bus {bus!r}; see list_rules({bus!r})",
                    provider=self.provider,
                    operation="events.delete_rule",
                )
            self._save_rules()

    def list_rules(self, bus: str | None = None) -> list[Rule]:
        with self._lock:
            rules = list(self._rules.values())
        return sorted((r for r in rules if bus is None or r.bus == bus), key=lambda r: (r.bus, r.name))

    @staticmethod
    def test_pattern(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
        """Whether an EventBridge-shaped ``event`` matches ``pattern`` (EventBridge's TestEventPattern)."""
        event_patterns.validate_pattern(pattern)
        return event_patterns.matches(pattern, event)

    # ------------------------------------------------------------------ publish and deliver
    def publish(self, bus: str, event: Event) -> PublishResult:
        _check_name("bus", bus)
        stamped = self._stamp(event)
        envelope = self.envelope(stamped)
        matched = [rule for rule in self.list_rules(bus) if event_patterns.matches(rule.pattern, envelope)]
        for rule in matched:
            self._deliver_tracked(rule, stamped, envelope)
        return PublishResult(event_id=stamped.id, matched_rules=tuple(rule.name for rule in matched))

    def envelope(self, event: Event) -> dict[str, Any]:
        """The event in EventBridge's JSON shape (what function targets receive)."""
        return eventbridge_envelope(event, account=self.account, region=self.region)

    # ------------------------------------------------------------------ dead letters and recovery
    def dead_letters(self, bus: str | None = None) -> list[DeadLetter]:
        return self.dead_letter_store.letters(bus)

    def redrive(self, ids: Iterable[str] | None = None) -> list[str]:
        """Deliver dead letters again (all, or those with ``ids``); return the ids now delivered.

        A letter goes to its rule's current target, or to its function if the rule is gone; letters
        that fail again stay, with their attempts and error updated.
        """
        wanted = set(ids) if ids is not None else None
        delivered: list[str] = []
        retried: dict[str, DeliveryOutcome] = {}
        for letter in self.dead_letters():
            if wanted is not None and letter.id not in wanted:
                continue
            rule = self._rule_for(letter.bus, letter.rule, letter.target)
            if rule is None:
                retried[letter.id] = DeliveryOutcome(False, 0, f"no target: rule {letter.rule!r} is gone")
                continue
            outcome = self._deliver(rule, event_from_envelope(letter.event), letter.event)
            if outcome.delivered:
                delivered.append(letter.id)
            else:
                retried[letter.id] = outcome
        self.dead_letter_store.settle(delivered, retried)
        return delivered

    def pending(self) -> list[dict[str, Any]]:
        """Deliveries that were in flight when a previous process stopped (the outbox)."""
        entries = []
        for path in sorted((self.root / "outbox").glob("*.json")):
            try:
                entries.append({"path": str(path), **json.loads(path.read_bytes())})
            except (OSError, ValueError):
                continue
        return entries

    def recover_pending(self) -> int:
        """Deliver (or dead-letter) every outbox entry; return how many there were."""
        entries = self.pending()
        for entry in entries:
            path = Path(entry["path"])
            rule = self._rule_for(entry["bus"], entry["rule"], entry["target"])
            if rule is None:
                outcome = DeliveryOutcome(False, 0, f"no target: rule {entry['rule']!r} is gone")
                self.dead_letter_store.add(
                    entry["bus"], entry["rule"], entry["target"], entry["event"], outcome
                )
            else:
                self._deliver_and_settle(rule, event_from_envelope(entry["event"]), entry["event"])
            path.unlink(missing_ok=True)
        return len(entries)

    # ------------------------------------------------------------------ internals
    def _deliver_tracked(self, rule: Rule, event: Event, envelope: Mapping[str, Any]) -> None:
        outbox = self.root / "outbox" / f"{uuid.uuid4().hex}.json"
        record = {"bus": rule.bus, "rule": rule.name, "target": rule.target_label, "event": envelope}
        write_json(outbox, record)
        self._deliver_and_settle(rule, event, envelope)
        outbox.unlink(missing_ok=True)

    def _deliver_and_settle(self, rule: Rule, event: Event, envelope: Mapping[str, Any]) -> None:
        outcome = self._deliver(rule, event, envelope)
        if not outcome.delivered:
            self.dead_letter_store.add(rule.bus, rule.name, rule.target_label, envelope, outcome)

    def _deliver(self, rule: Rule, event: Event, envelope: Mapping[str, Any]) -> DeliveryOutcome:
        target = rule.target

        def send() -> str:
            try:
                if isinstance(target, str):
                    result = self.functions.invoke(target, dict(envelope))
                    return "" if result.ok else f"{result.error_type}: {result.error_message}"
                target(event)
            except Exception as exc:  # noqa: BLE001 - any failure of a target is retried, never raised
                return f"{type(exc).__name__}: {exc}"
            return ""

        return deliver_with_retries(send, self.retry)

    def _rule_for(self, bus: str, name: str, target_label: str) -> Rule | None:
        with self._lock:
            rule = self._rules.get((bus, name))
        if rule is not None:
            return rule
        kind, _, function = target_label.partition(":")
        return Rule(bus, name, {}, function) if kind == "function" else None

    def _stamp(self, event: Event) -> Event:
        if not isinstance(event, Event):
            raise InvalidArgument(f"publish takes an Event, not {type(event).__name__}")
        if not event.source or not event.detail_type:
            raise InvalidArgument(
                "an event needs a source and a detail_type, e.g. Event('my.app', 'Order', {...})"
            )
        try:
            size = len(json.dumps(dict(event.detail)))
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(
                f"event detail is not JSON-serialisable ({exc}); use JSON types only"
            ) from None
        if size > MAX_EVENT_BYTES:
            raise InvalidArgument(
                f"event detail is {size} bytes, over EventBridge's 256 KB limit; put the data in object "
                "storage and send its URI in the event instead"
            )
        return replace(event, id=event.id or str(uuid.uuid4()), time=event.time or datetime.now(timezone.utc))

    def _load_rules(self) -> dict[tuple[str, str], Rule]:
        try:
            stored = json.loads((self.root / "rules.json").read_bytes())
        except FileNotFoundError:
            return {}
        return {(r["bus"], r["name"]): Rule(r["bus"], r["name"], r["pattern"], r["target"]) for r in stored}

    def _save_rules(self) -> None:
        persisted = [
            {"bus": r.bus, "name": r.name, "pattern": r.pattern, "target": r.target}
            for r in self._rules.values()
            if isinstance(r.target, str)
        ]
        write_json(self.root / "rules.json", persisted, indent=1)


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(f"invalid {kind} name {name!r}: use 1-64 letters, digits, '.', '-' or '_'")
