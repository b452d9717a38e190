"""Copied into each function app as ``_cloudai_azure_functions.py``: the Python v2 model's worker side.

The on-prem function worker imports this module once per cold start; it imports ``function_app.py`` and
finds its ``FunctionApp`` as Azure's Python worker does (worker indexing). :func:`handle` answers
``{"action": "index"}`` with each function's bindings (``function.json`` as the decorators wrote it), and
``{"action": "invoke", "function", "trigger", "metadata"}`` by building the trigger's ``azure.functions``
object (``HttpRequest``, ``InputStream``, ``QueueMessage``, ``EventGridEvent``), calling the function, and
returning the HTTP response and what the function set on its ``func.Out`` outputs, for the host to write.
Only the standard library and azure-functions are imported: this file runs inside the function's worker.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import importlib
import inspect
import json
import logging
from typing import Any

import azure.functions as func
from azure.functions.blob import InputStream
from azure.functions.queue import QueueMessage

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)


class OutputValue(func.Out[Any]):
    """A ``func.Out[T]`` argument: what the function ``set`` is written by the host after it returns."""

    def __init__(self) -> None:
        self.value: Any = None

    def set(self, val: Any) -> None:
        self.value = val

    def get(self) -> Any:
        return self.value


def find_app() -> func.FunctionRegister:
    module = importlib.import_module("function_app")
    apps = [value for value in vars(module).values() if isinstance(value, func.FunctionRegister)]
    if len(apps) != 1:
        raise ValueError(
            f"function_app.py must define exactly one top-level func.FunctionApp (found {len(apps)}); "
            "write app = func.FunctionApp() and decorate your functions with @app..."
        )
    return apps[0]


APP = find_app()
FUNCTIONS = {function.get_function_name(): function for function in APP.get_functions()}


def handle(event: dict[str, Any], context: Any) -> Any:
    if event.get("action") == "index":
        return [
            {"name": name, "bindings": json.loads(function.get_function_json())["bindings"]}
            for name, function in FUNCTIONS.items()
        ]
    function = FUNCTIONS[event["function"]]
    bindings = json.loads(function.get_function_json())["bindings"]
    arguments: dict[str, Any] = {}
    outputs: dict[str, OutputValue] = {}
    for binding in bindings:
        name = binding["name"]
        if binding["type"].endswith("Trigger"):
            arguments[name] = trigger_argument(binding["type"], event["trigger"])
        elif binding["direction"] == "OUT" and name != "$return":
            outputs[name] = arguments[name] = OutputValue()
    user_function = function.get_user_function()
    accepted = inspect.signature(user_function).parameters
    result = user_function(**{k: v for k, v in arguments.items() if k in accepted})
    if inspect.isawaitable(result):
        result = asyncio.run(result)  # type: ignore[arg-type]
    answer: dict[str, Any] = {"outputs": {}}
    for binding in bindings:
        name = binding["name"]
        if binding["direction"] != "OUT":
            continue
        if binding["type"] == "http":
            answer["http"] = http_answer(result)
        elif name == "$return" and result is not None:
            answer["outputs"][name] = encode(result)
        elif name in outputs and outputs[name].value is not None:
            answer["outputs"][name] = encode(outputs[name].value)
    return answer


def trigger_argument(kind: str, trigger: dict[str, Any]) -> Any:
    if kind == "httpTrigger":
        return func.HttpRequest(
            method=trigger["method"],
            url=trigger["url"],
            headers=dict(trigger["headers"]),
            params=dict(trigger["params"]),
            route_params=dict(trigger["route_params"]),
            body=base64.b64decode(trigger["body"]),
        )
    if kind == "blobTrigger":
        data = base64.b64decode(trigger["data"])
        return InputStream(
            data=data,
            name=trigger["name"],
            uri=trigger["uri"],
            length=len(data),
            blob_properties=trigger.get("properties"),
            metadata=trigger.get("metadata"),
        )
    if kind == "queueTrigger":
        return QueueMessage(  # type: ignore[no-untyped-call]
            id=trigger["id"],
            body=base64.b64decode(trigger["body"]),
            dequeue_count=trigger["dequeue_count"],
            insertion_time=_time(trigger.get("insertion_time")),
            expiration_time=_time(trigger.get("expiration_time")),
            pop_receipt=trigger.get("pop_receipt"),
        )
    if kind == "eventGridTrigger":
        event = trigger["event"]
        return func.EventGridEvent(
            id=event["id"],
            data=event.get("data"),
            topic=event.get("topic", ""),
            subject=event.get("subject", ""),
            event_type=event.get("eventType", ""),
            event_time=_time(event.get("eventTime")),
            data_version=event.get("dataVersion", ""),
        )
    raise NotImplementedError(f"the local Functions host does not run {kind} functions")


def http_answer(result: Any) -> dict[str, Any]:
    if isinstance(result, (str, bytes)):
        result = func.HttpResponse(result)
    if not isinstance(result, func.HttpResponse):
        raise TypeError(
            f"an HTTP function must return func.HttpResponse (or str), not {type(result).__name__}"
        )
    headers = dict(result.headers)
    headers.setdefault(
        "Content-Type", result.mimetype + (f"; charset={result.charset}" if result.charset else "")
    )
    return {
        "status": result.status_code,
        "headers": sorted(headers.items()),
        "body": base64.b64encode(result.get_body()).decode("ascii"),
    }


def encode(value: Any) -> str:
    """An output value as base64 bytes: str as UTF-8, bytes as is, anything else as JSON."""
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif isinstance(value, func.InputStream):
        data = value.read()
    else:
        data = json.dumps(value).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def _time(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
