"""The local Functions host: deploy an app's code into the on-prem runtime, index it, invoke its functions.

Each app is one function of a :class:`~multi_cloud.onprem.functions.OnPremFunctions` runtime, with handler
``_cloudai_azure_functions.handle`` (:mod:`.worker_entry`): its worker process imports ``function_app.py``
once (a cold start) and then serves every function of the app warm, as Azure's Python worker does. The
app settings are the worker's environment (plus the local cloud's loopback endpoints). Each invocation's
output, framed by the host's ``Executing``/``Executed`` lines, is appended to the app's log
(``$CLOUDAI_STATE_DIR/azure-functions/{app}.log``) and kept for the Kudu log endpoint.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.types import InvocationResult
from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.onprem.functions import OnPremFunctions

from azure_ai_services.emulator.functions import host_json, source
from azure_ai_services.emulator.functions.sites import FunctionApp

#: Consumption plan: 1.5 GB per instance (functionTimeout: host.json, 5 minutes by default)
MEMORY_MB = 1536
#: worker processes per app at most (Consumption scales out; the local host stays small)
CONCURRENCY = 4
#: the local cloud's endpoints a function's own Azure clients use, forwarded when they are loopback
FORWARDED = ("CLOUDAI_AZURE_ENDPOINT", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_AI_SERVICES_ENDPOINT")
FORWARDED_FILES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SUPPORTED_BINDINGS = frozenset({"httpTrigger", "blobTrigger", "queueTrigger", "eventGridTrigger"})


@dataclass
class Invocation:
    """One function execution as the host records it."""

    id: str
    function: str
    reason: str
    status: str
    duration_ms: float
    cold_start: bool
    error: str = ""
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())


@dataclass(frozen=True)
class Outcome:
    """What the function returned (``answer``: the worker entry's dict) or how it failed."""

    invocation: Invocation
    answer: dict[str, Any]
    result: InvocationResult

    @property
    def ok(self) -> bool:
        return self.result.ok


class FunctionsHost:
    """Deploys function apps into the on-prem runtime and runs their functions."""

    def __init__(self, root: Path | None = None, log_root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="cloudai-azure-functions-"))
        self.log_root = log_root
        self.runtime = OnPremFunctions("azure", self.root / "runtime", max_concurrency=CONCURRENCY)
        self.invocations: dict[str, list[Invocation]] = {}
        self._lock = threading.Lock()

    def deploy(
        self, app: FunctionApp, archive: bytes, host_url: str
    ) -> tuple[list[dict[str, Any]], host_json.HostSettings]:
        """Build ``archive``, deploy it as ``app``'s new version, index its functions (cold start)."""
        code_dir = source.build(archive, self.root / "builds" / f"{app.name}-{uuid.uuid4().hex[:8]}")
        try:
            settings = host_json.read(code_dir)
            self._publish(app, code_dir, host_url, settings)
            result = self.runtime.invoke(app.name, {"action": "index"})
            if result.ok:  # a fresh version: the indexing worker retires, the first call is a cold start
                self._publish(app, code_dir, host_url, settings)
        finally:
            shutil.rmtree(code_dir, ignore_errors=True)
        if not result.ok:
            self.log(app.name, result.logs)
            raise AzureError(
                400,
                "BadRequest",
                f"Deployment failed: the Functions host could not index function_app.py "
                f"({result.error_type}: {result.error_message})",
            )
        functions: list[dict[str, Any]] = list(result.payload or [])
        self.log(
            app.name,
            f"{_now()} Host initialized: {len(functions)} functions found "
            f"({', '.join(f['name'] for f in functions)})\n",
        )
        for function in functions:
            kinds = [
                b["type"]
                for b in function["bindings"]
                if b.get("direction") == "IN" or str(b["type"]).endswith("Trigger")
            ]
            unsupported = [k for k in kinds if k not in SUPPORTED_BINDINGS]
            if unsupported:
                self.log(
                    app.name,
                    f"{_now()} Warning: the local host does not run {', '.join(unsupported)} "
                    f"bindings: function '{function['name']}' will fail or never fire\n",
                )
        return functions, settings

    def _publish(
        self, app: FunctionApp, code_dir: Path, host_url: str, settings: host_json.HostSettings
    ) -> None:
        self.runtime.deploy(
            app.name,
            str(code_dir),
            f"{source.ENTRY_MODULE}.handle",
            timeout_seconds=settings.timeout_seconds,
            memory_mb=MEMORY_MB,
            environment=self.environment(app, host_url),
            max_concurrency=CONCURRENCY,
        )

    def environment(self, app: FunctionApp, host_url: str) -> dict[str, str]:
        environment = dict(app.app_settings)
        environment.update(
            {
                "WEBSITE_SITE_NAME": app.name,
                "WEBSITE_HOSTNAME": f"{urlsplit(host_url).netloc}/sites/{app.name}",
                "WEBSITE_RESOURCE_GROUP": app.group,
                "WEBSITE_OWNER_NAME": f"{app.subscription}+{app.group}-{app.location}webspace",
                "FUNCTIONS_WORKER_RUNTIME": "python",
                "AzureWebJobsScriptRoot": "/home/site/wwwroot",
            }
        )
        environment.setdefault("CLOUDAI_AZURE_ENDPOINT", host_url.rstrip("/"))
        for variable in FORWARDED:
            value = os.environ.get(variable, "")
            host = urlsplit(value).hostname if "://" in value else "127.0.0.1"
            if value and host in LOOPBACK:
                environment.setdefault(variable, value)
        for variable in FORWARDED_FILES:
            if os.environ.get(variable):
                environment.setdefault(variable, os.environ[variable])
        return environment

    def invoke(self, app: FunctionApp, function: str, reason: str, event: dict[str, Any]) -> Outcome:
        invocation_id = str(uuid.uuid4())
        result = self.runtime.invoke(
            app.name, {"action": "invoke", "function": function, "invocation_id": invocation_id, **event}
        )
        status = "Succeeded" if result.ok else "Failed"
        error = "" if result.ok else f"{result.error_type}: {result.error_message}"
        invocation = Invocation(
            invocation_id, function, reason, status, result.duration_ms, result.cold_start, error
        )
        with self._lock:
            self.invocations.setdefault(app.name, []).append(invocation)
            del self.invocations[app.name][:-500]
        self.log(app.name, azure_log(invocation, result))
        answer = result.payload if result.ok and isinstance(result.payload, dict) else {}
        return Outcome(invocation, answer, result)

    def remove(self, name: str) -> None:
        if (self.runtime.root / name / "function.json").exists():
            self.runtime.delete(name)
        with self._lock:
            self.invocations.pop(name, None)

    def log_path(self, name: str) -> Path:
        from multi_cloud.local_cloud.paths import state_paths

        return (self.log_root or state_paths().root / "azure-functions") / f"{name}.log"

    def log(self, name: str, text: str) -> None:
        path = self.log_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(text)

    def read_log(self, name: str) -> str:
        path = self.log_path(name)
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def close(self) -> None:
        self.runtime.close()
        shutil.rmtree(self.root, ignore_errors=True)


def azure_log(invocation: Invocation, result: InvocationResult) -> str:
    """The invocation's output between the host's Executing/Executed lines (as the log stream shows it)."""
    output = [
        line
        for line in result.logs.splitlines()
        if not line.startswith(("START RequestId:", "END RequestId:", "REPORT RequestId:"))
    ]
    lines = [
        f"{_now()} Executing 'Functions.{invocation.function}' (Reason='{invocation.reason}', "
        f"Id={invocation.id})"
    ]
    lines += [f"{_now()} {line}" for line in output]
    if not result.ok:
        lines.append(
            f"{_now()} Executed 'Functions.{invocation.function}' (Failed, Id={invocation.id}, "
            f"Duration={invocation.duration_ms:.0f}ms)"
        )
        lines.append(f"{_now()} System.Exception: Result: Failure Exception: {invocation.error}")
        lines += [f"{_now()} {line}" for line in result.traceback.splitlines()]
    else:
        lines.append(
            f"{_now()} Executed 'Functions.{invocation.function}' (Succeeded, Id={invocation.id}, "
            f"Duration={invocation.duration_ms:.0f}ms)"
        )
    return "\n".join(lines) + "\n"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
