"""The settings of an app's ``host.json`` the local host honours (Azure's defaults otherwise).

``functionTimeout`` ("00:05:00", at most 10 minutes on Consumption), ``extensions.http.routePrefix``
("api"), ``extensions.queues.maxDequeueCount`` (5) and ``extensions.queues.messageEncoding`` ("base64" or
"none"). A ``host.json`` that is not JSON, or out-of-range values, fail the deployment with the reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.emulation.protocols.azure.errors import AzureError

_TIMESPAN = re.compile(r"^(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})$")
MAX_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class HostSettings:
    timeout_seconds: int = 300
    route_prefix: str = "api"
    max_dequeue_count: int = 5
    message_encoding: str = "base64"


def read(code_dir: Path) -> HostSettings:
    path = code_dir / "host.json"
    if not path.is_file():
        return HostSettings()
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise _failed(f"host.json is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise _failed("host.json must be a JSON object")
    extensions = document.get("extensions") or {}
    queues = extensions.get("queues") or {}
    timeout = _seconds(str(document.get("functionTimeout") or "00:05:00"))
    if not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
        raise _failed(
            f"functionTimeout must be between 00:00:01 and 00:10:00 on the Consumption plan, not "
            f"{document.get('functionTimeout')!r}"
        )
    encoding = str(queues.get("messageEncoding") or "base64").lower()
    if encoding not in ("base64", "none"):
        raise _failed(f"extensions.queues.messageEncoding must be 'base64' or 'none', not {encoding!r}")
    dequeues = int(queues.get("maxDequeueCount", 5))
    if dequeues < 1:
        raise _failed("extensions.queues.maxDequeueCount must be at least 1")
    prefix = str((extensions.get("http") or {}).get("routePrefix", "api")).strip("/")
    return HostSettings(timeout, prefix, dequeues, encoding)


def _seconds(text: str) -> int:
    match = _TIMESPAN.match(text)
    if match is None:
        raise _failed(f"functionTimeout {text!r} is not a timespan like '00:05:00'")
    days = int(match.group("days") or 0)
    return ((days * 24 + int(match.group("h"))) * 60 + int(match.group("m"))) * 60 + int(match.group("s"))


def _failed(message: str) -> AzureError:
    return AzureError(400, "BadRequest", f"Deployment failed: {message}")
