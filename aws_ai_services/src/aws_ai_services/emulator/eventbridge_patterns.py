"""EventBridge patterns in moto evaluated with event-ruler semantics (multi_cloud.onprem.event_patterns).

``install()`` (idempotent) makes moto's EventBridge
* validate a rule's pattern as EventBridge does (InvalidEventPatternException naming the field),
* route events with the same matcher the on-prem event bus uses (prefix/suffix/equals-ignore-case,
  wildcard, anything-but, numeric, cidr, exists, ``$or``; arrays match any element), and
* answer ``TestEventPattern``, which moto leaves unimplemented.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from multi_cloud.core.errors import InvalidArgument

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: TestEventPattern requires these fields in the event (as EventBridge does)
REQUIRED_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def install() -> None:
    when_imported("moto.events.models", _patch_models)
    when_imported("moto.events.responses", _patch_responses)


def _patch_models(module: ModuleType) -> None:
    from multi_cloud.onprem import event_patterns

    def make_parse(original: Any) -> Any:
        def parse(self: Any) -> dict[str, Any]:
            pattern: dict[str, Any] = original(self)
            if pattern:
                _validate(pattern)
            return pattern

        return parse

    def make_matches(original: Any) -> Any:
        def matches_event(self: Any, event: Any) -> bool:
            pattern = self.get_pattern()
            return True if not pattern else event_patterns.matches(pattern, _as_published(event))

        return matches_event

    patch_method(module.EventPatternParser, "parse", make_parse)
    patch_method(module.EventPattern, "matches_event", make_matches)


def _patch_responses(module: ModuleType) -> None:
    from multi_cloud.onprem import event_patterns

    def make_test(original: Any) -> Any:
        def test_event_pattern(self: Any) -> str:
            from moto.events.exceptions import InvalidEventPatternException, ValidationException

            try:
                pattern = json.loads(self._get_param("EventPattern") or "")
            except ValueError:
                raise InvalidEventPatternException(reason="Invalid JSON") from None
            _validate(pattern)
            try:
                event = json.loads(self._get_param("Event") or "")
            except ValueError:
                raise ValidationException("Parameter Event is not valid. Reason: Invalid JSON") from None
            missing = [
                name for name in REQUIRED_EVENT_FIELDS if not isinstance(event, dict) or name not in event
            ]
            if missing:
                raise ValidationException(
                    f"Parameter Event is not valid. Reason: Provided Event is missing required fields: "
                    f"{', '.join(missing)}"
                )
            return json.dumps({"Result": event_patterns.matches(pattern, event)})

        return test_event_pattern

    patch_method(module.EventsHandler, "test_event_pattern", make_test)


def _validate(pattern: Any) -> None:
    from moto.events.exceptions import InvalidEventPatternException
    from multi_cloud.onprem import event_patterns

    try:
        event_patterns.validate_pattern(pattern)
    except InvalidArgument as exc:
        raise InvalidEventPatternException(reason=exc.message) from None


def _as_published(event: Any) -> Any:
    """moto keeps ``time`` as epoch seconds; patterns see EventBridge's ISO-8601 string."""
    if not isinstance(event, dict) or not isinstance(event.get("time"), (int, float)):
        return event
    from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp

    published = {k: v for k, v in event.items() if k != "ingestion-time"}
    published["time"] = iso_8601_datetime_without_milliseconds(utcfromtimestamp(float(event["time"])))  # type: ignore[arg-type]  # moto annotates int, accepts float
    return published
