"""Paths into Lambda that moto lacks or misroutes: EventBridge Lambda targets and Step Functions Task states.

* EventBridge: moto's ``Rule.send_to_targets`` knows logs, SQS, archives, buses and API destinations and
  raises NotImplementedError for a Lambda target. Here a Lambda target is invoked asynchronously (as
  EventBridge does) with the event, its constant ``Input``, its ``InputPath`` or its ``InputTransformer``.
* Step Functions: moto's ASL interpreter calls Lambda over HTTP at ``localhost:$MOTO_PORT`` (5000 by
  default); here it is pointed at the server this process actually runs.
"""

from __future__ import annotations

import copy
import json
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from aws_ai_services.emulator.moto_patching import patch_method, when_imported


def install() -> None:
    when_imported("moto.events.models", _patch_event_targets)
    when_imported("moto.stepfunctions.parser.asl.utils.boto_client", _patch_state_machine_endpoint)


def _patch_event_targets(module: ModuleType) -> None:
    def make_send(original: Any) -> Any:
        def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
            functions = [t for t in self.targets if _service(t) == "lambda"]
            if not functions:
                original(self, original_event, transform_input)
                return
            others = copy.copy(self)  # moto's own targets, without the Lambda ones it cannot handle
            others.targets = [t for t in self.targets if _service(t) != "lambda"]
            original(others, original_event, transform_input)
            if self.event_pattern.matches_event(original_event):
                for target in functions:
                    _invoke_target(module, self, target, original_event, transform_input)

        return send_to_targets

    patch_method(module.Rule, "send_to_targets", make_send)


def _invoke_target(
    module: ModuleType, rule: Any, target: dict[str, Any], event: Any, transform: bool
) -> None:
    from moto.awslambda.utils import get_backend
    from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp

    payload = dict(event)
    payload.pop("ingestion-time", None)
    if isinstance(payload.get("time"), (int, float)):
        payload["time"] = iso_8601_datetime_without_milliseconds(utcfromtimestamp(float(payload["time"])))  # type: ignore[arg-type]  # moto annotates int, accepts float
    if transform:
        payload = _target_input(module, target, payload)
    arn = target["Arn"]
    region = arn.split(":")[3]
    try:
        function = get_backend(rule.account_id, region).get_function(arn)
    except Exception:  # noqa: BLE001 - EventBridge counts a missing target as a failed invocation
        return
    function.invoke(json.dumps(payload), {"X-Amz-Invocation-Type": "Event"}, {})


def _target_input(module: ModuleType, target: dict[str, Any], event: dict[str, Any]) -> Any:
    """What the target receives: the event, a constant ``Input``, an ``InputPath`` or a transformed input."""
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        value: Any = event
        for part in target["InputPath"].lstrip("$").strip(".").split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        return value
    transformer = target.get("InputTransformer")
    if transformer:
        rendered = module.EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=event,
        )
        return rendered
    return event


def _service(target: dict[str, Any]) -> str:
    parts = str(target.get("Arn", "")).split(":")
    return parts[2] if len(parts) > 2 else ""


def _patch_state_machine_endpoint(module: ModuleType) -> None:
    def make_port(original: Any) -> Any:
        def moto_server_port() -> str:
            from aws_ai_services.emulator.lambda_runtime import server_url

            port = urlsplit(server_url()).port
            return str(port) if port else str(original())

        return moto_server_port

    patch_method(module, "moto_server_port", make_port)
