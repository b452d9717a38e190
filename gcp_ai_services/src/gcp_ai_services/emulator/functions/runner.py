"""Run functions with the on-prem function runtime: one worker process per execution environment.

Each function is deployed into an :class:`~multi_cloud.onprem.functions.OnPremFunctions` (per project and
location) with handler ``_cloudai_ff.handle``: its worker imports functions-framework, which loads
``main.py`` (a cold start), then serves requests warm. ``serviceConfig.timeoutSeconds`` and
``availableMemory`` become the worker's timeout and memory limit. Every invocation's output, framed by
START/END/REPORT lines, is appended to ``<log_root>/<project>/<location>/<function>.log`` (the local
cloud's state directory: ``$CLOUDAI_STATE_DIR/gcp-functions/...``).
"""

from __future__ import annotations

import base64
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.types import InvocationResult
from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.onprem.functions import MAX_MEMORY_MB, MAX_TIMEOUT_SECONDS, MIN_MEMORY_MB, OnPremFunctions

from gcp_ai_services.emulator.functions.source import SHIM_MODULE

DEFAULT_MEMORY = "256M"
DEFAULT_TIMEOUT_SECONDS = 60
#: instances (worker processes) per function at most: ``serviceConfig.maxInstanceCount``, capped here
CONCURRENCY = 4
_MEMORY = re.compile(r"^(?P<amount>\d+(?:\.\d+)?)(?P<unit>k|Ki|M|Mi|G|Gi)?$")
#: Cloud Functions' memory tiers count "256M" as 256 MiB, as Cloud Run's "256Mi"
_UNIT_MB = {"k": 1 / 1024, "Ki": 1 / 1024, "M": 1.0, "Mi": 1.0, "G": 1024.0, "Gi": 1024.0}
#: the local endpoints a function's own Google clients should use, when they are on loopback
FORWARDED = ("CLOUDAI_GCP_ENDPOINT", "STORAGE_EMULATOR_HOST", "CLOUDAI_GCP_STORAGE_URL")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class HttpAnswer:
    """What the function answered (or the platform instead: 500 crash, 504 timeout), and its logs."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    result: InvocationResult


def memory_mb(available: str) -> int:
    """``availableMemory`` ("256M", "1Gi") in MiB; INVALID_ARGUMENT outside 128 MiB .. 10 GiB."""
    match = _MEMORY.match(available or DEFAULT_MEMORY)
    if match is None:
        raise GoogleError("INVALID_ARGUMENT", f"Invalid value for available_memory: {available!r}.")
    value = float(match.group("amount")) * _UNIT_MB[match.group("unit") or "M"]
    if not MIN_MEMORY_MB <= round(value) <= MAX_MEMORY_MB:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"available_memory {available!r} is outside what the local cloud runs ({MIN_MEMORY_MB}M-10Gi).",
        )
    return round(value)


def timeout_seconds(value: Any) -> int:
    seconds = int(value or DEFAULT_TIMEOUT_SECONDS)
    if not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise GoogleError("INVALID_ARGUMENT", f"timeout_seconds must be between 1 and 3600, got {seconds}.")
    return seconds


class FunctionRunner:
    """Deploys built functions into on-prem runtimes and sends them HTTP requests."""

    def __init__(self, root: Path, log_root: Path) -> None:
        self.root = root
        self.log_root = log_root
        self._runtimes: dict[tuple[str, str], OnPremFunctions] = {}
        self._lock = threading.Lock()

    def deploy(self, name: str, code_dir: Path, function: dict[str, Any], signature: str) -> None:
        """Deploy the function ``projects/p/locations/l/functions/f`` from its built ``code_dir``."""
        project, location, short = _parts(name)
        service = function.get("serviceConfig") or {}
        environment = {str(k): str(v) for k, v in (service.get("environmentVariables") or {}).items()}
        environment.update(
            {
                "FUNCTION_TARGET": str(function["buildConfig"]["entryPoint"]),
                "FUNCTION_SIGNATURE_TYPE": signature,
                "K_SERVICE": short,
                "K_REVISION": str(service.get("revision") or f"{short}-00001"),
                "GOOGLE_CLOUD_PROJECT": project,
                "LOG_EXECUTION_ID": "true",
            }
        )
        for variable in FORWARDED:
            value = os.environ.get(variable, "")
            if value and urlsplit(value).hostname in LOOPBACK:
                environment.setdefault(variable, value)
        self._runtime(project, location).deploy(
            short,
            str(code_dir),
            f"{SHIM_MODULE}.handle",
            timeout_seconds=timeout_seconds(service.get("timeoutSeconds")),
            memory_mb=memory_mb(str(service.get("availableMemory") or DEFAULT_MEMORY)),
            environment=environment,
            max_concurrency=min(int(service.get("maxInstanceCount") or CONCURRENCY), CONCURRENCY),
        )

    def remove(self, name: str) -> None:
        project, location, short = _parts(name)
        runtime = self._runtimes.get((project, location))
        if runtime is not None and (runtime.root / short / "function.json").exists():
            runtime.delete(short)

    def request(self, name: str, request: dict[str, Any]) -> HttpAnswer:
        """Send ``{"method", "path", "query", "headers", "body"}`` to the function; its answer."""
        project, location, short = _parts(name)
        result = self._runtime(project, location).invoke(short, request)
        self._log(name, result.logs)
        payload = result.payload if isinstance(result.payload, dict) else {}
        if not result.error_type and "status" in payload:
            headers = [(str(k), str(v)) for k, v in payload.get("headers", [])]
            return HttpAnswer(int(payload["status"]), headers, base64.b64decode(payload["body"]), result)
        if result.error_type == "TimeoutError":
            return HttpAnswer(504, [], b"upstream request timeout", result)
        message = f"Error: could not handle the request ({result.error_type}: {result.error_message})\n"
        return HttpAnswer(500, [("Content-Type", "text/plain")], message.encode(), result)

    def log_path(self, name: str) -> Path:
        project, location, short = _parts(name)
        return self.log_root / project / location / f"{short}.log"

    def close(self) -> None:
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
        for runtime in runtimes:
            runtime.close()

    def _log(self, name: str, text: str) -> None:
        path = self.log_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(text)

    def _runtime(self, project: str, location: str) -> OnPremFunctions:
        with self._lock:
            runtime = self._runtimes.get((project, location))
            if runtime is None:
                runtime = OnPremFunctions(
                    "gcp", self.root / "runtimes" / project / location, max_concurrency=CONCURRENCY
                )
                self._runtimes[(project, location)] = runtime
            return runtime


def _parts(name: str) -> tuple[str, str, str]:
    parts = name.split("/")
    return parts[1], parts[3], parts[5]
