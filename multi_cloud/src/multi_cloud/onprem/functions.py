"""OnPremFunctions: Lambda-like functions in local subprocesses, with timeouts, memory limits, warm starts.

Layout under ``root``: ``<name>/function.json`` (the configuration; its atomic replacement publishes a
deploy) and ``<name>/versions/<n>/`` (the code of each deployed version), ``<name>/logs/`` (worker logs).

Semantics, modelled on AWS Lambda's synchronous ``Invoke``:

* every invocation runs in a worker subprocess; the first one for a version (and the first after a
  redeploy, a crash, a timeout or ``idle_seconds`` without use) is a **cold start**: a new interpreter
  imports the handler. Later ones reuse the **warm** worker, so module-level state survives between them;
* the handler's exceptions, a timeout (error type ``TimeoutError``; the worker and its children are killed),
  a ``MemoryError`` from the address-space guard (``memory_mb`` plus an allowance for what libraries map
  without using, on top of the interpreter's own footprint),
  more resident memory than ``memory_mb`` in the whole environment (error type ``Runtime.OutOfMemory``; the
  worker is killed, :mod:`.worker_memory`), a crash, and a non-JSON return value all come back as an
  :class:`InvocationResult` with status 200 and an error type, as Lambda reports a FunctionError; only a
  bad request (unknown function, non-JSON event, concurrency limit) raises;
* at most ``max_concurrency`` invocations of one function run at once; an excess invocation **waits** up to
  ``max_wait_seconds`` for a free slot, then raises :class:`Throttled` (set ``max_wait_seconds=0`` for
  Lambda's immediate 429);
* ``duration_ms`` is the wall time the caller waited (so it includes a cold start); the handler's own time
  and the init time are in the ``REPORT`` line of ``logs``.

Workers are POSIX processes (``resource``, process groups): Linux and macOS.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.base import FunctionService
from multi_cloud.core.errors import InvalidArgument, NotFound, Throttled
from multi_cloud.core.types import FunctionInfo, InvocationResult
from multi_cloud.onprem import function_code
from multi_cloud.onprem.atomic_files import write_json
from multi_cloud.onprem.function_runtime import (
    DEFAULT_IDLE_SECONDS,
    OutOfMemory,
    WarmWorker,
    WorkerGone,
    WorkerPool,
    WorkerSpec,
    WorkerTimedOut,
)

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
MAX_TIMEOUT_SECONDS = 900
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10240


class OnPremFunctions(FunctionService):
    """Deploy Python handlers from a folder and invoke them in isolated, optionally warm, subprocesses."""

    def __init__(
        self,
        provider: str,
        root: Path,
        *,
        max_concurrency: int = 4,
        max_wait_seconds: float = 30.0,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
    ) -> None:
        super().__init__(provider)
        if max_concurrency < 1:
            raise InvalidArgument(f"max_concurrency must be at least 1, got {max_concurrency}")
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_concurrency = max_concurrency
        self.max_wait_seconds = max_wait_seconds
        self.idle_seconds = idle_seconds
        self._pools: dict[str, WorkerPool] = {}
        self._lock = threading.Lock()
        # kill warm workers when this object is collected, or at interpreter exit at the latest
        self._finalizer = weakref.finalize(self, _close_pools, self._pools)

    # ------------------------------------------------------------------ control plane
    def deploy(
        self,
        name: str,
        source_dir: str,
        handler: str,
        *,
        timeout_seconds: int = 30,
        memory_mb: int = 256,
        environment: Mapping[str, str] | None = None,
        max_concurrency: int | None = None,
    ) -> FunctionInfo:
        """Copy ``source_dir`` into a new version of ``name`` (created or updated) and make it current."""
        function_code.validate_function_name(name)
        source = function_code.check_source_dir(source_dir)
        function_code.validate_handler(source, handler)
        _validate_limits(timeout_seconds, memory_mb, environment, max_concurrency)
        with self._lock:
            previous = self._read_config(name)
            version = int(previous["version"]) + 1 if previous else 1
            versions = self.root / name / "versions"
            versions.mkdir(parents=True, exist_ok=True)
            sha256 = function_code.copy_code(source, versions / str(version))
            config: dict[str, Any] = {
                "name": name,
                "handler": handler,
                "runtime": RUNTIME,
                "timeout_seconds": timeout_seconds,
                "memory_mb": memory_mb,
                "environment": dict(environment or {}),
                "max_concurrency": max_concurrency or self.max_concurrency,
                "version": version,
                "code_sha256": sha256,
                "last_modified": datetime.now(timezone.utc).isoformat(),
            }
            write_json(self.root / name / "function.json", config, indent=1)  # publishes the new version
            pool = self._pools.get(name)
        if pool is not None:
            pool.max_concurrency = int(config["max_concurrency"])
            pool.retire_idle(version)  # warm workers of the old code are no longer used
        return _function_info(config, self.provider)

    def get_function(self, name: str) -> FunctionInfo:
        return _function_info(self._config(name), self.provider)

    def list_functions(self) -> list[FunctionInfo]:
        found = []
        for entry in sorted(self.root.iterdir()):
            config = self._read_config(entry.name) if entry.is_dir() else None
            if config is not None:
                found.append(_function_info(config, self.provider))
        return found

    def delete(self, name: str) -> None:
        self._config(name)
        with self._lock:
            pool = self._pools.pop(name, None)
        if pool is not None:
            pool.close()
        trash = self.root / f".deleted-{name}-{uuid.uuid4().hex}"
        os.rename(self.root / name, trash)  # gone at once; the removal below may be slow
        shutil.rmtree(trash, ignore_errors=True)

    def warm_workers(self, name: str) -> int:
        """How many idle warm workers ``name`` has (0 after a redeploy, crash or idle timeout)."""
        with self._lock:
            pool = self._pools.get(name)
        return pool.warm_count if pool is not None else 0

    def close(self) -> None:
        """Kill every warm worker (also done when this object is collected, and at exit)."""
        _close_pools(self._pools)

    shutdown = close

    # ------------------------------------------------------------------ data plane
    def invoke(self, name: str, event: Any) -> InvocationResult:
        started = time.monotonic()
        config = self._config(name)
        try:
            json.dumps(event)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(
                f"the event for {name!r} is not JSON-serialisable ({exc}); pass dicts, lists, strings, "
                "numbers, booleans or None",
                provider=self.provider,
                operation="functions.invoke",
            ) from None
        version = int(config["version"])
        pool = self._pool(name, int(config["max_concurrency"]))
        pool.retire_idle(version)
        acquired, worker = pool.acquire(self.max_wait_seconds)
        if not acquired:
            raise Throttled(
                f"function {name!r} is running {pool.max_concurrency} invocations, its concurrency limit, "
                f"and none finished within {self.max_wait_seconds} s; retry later or deploy with a higher "
                "max_concurrency",
                provider=self.provider,
                operation="functions.invoke",
            )
        keep = False
        try:
            if worker is not None and worker.is_stale(version):
                pool.forget(worker)
                worker = None
            cold = worker is None
            if worker is None:
                worker = WarmWorker(self._spec(config), self.root / name / "logs", self.idle_seconds)
                pool.track(worker)
            result, keep = self._run(worker, config, event, cold, started)
            return result
        finally:
            pool.release(worker, keep=keep)

    # ------------------------------------------------------------------ internals
    def _run(
        self, worker: WarmWorker, config: Mapping[str, Any], event: Any, cold: bool, started: float
    ) -> tuple[InvocationResult, bool]:
        """Run one invocation on ``worker``; return the result and whether the worker stays warm."""
        name, timeout = str(config["name"]), float(config["timeout_seconds"])
        request_id = str(uuid.uuid4())
        response: dict[str, Any]
        keep = False
        try:
            if cold:
                ready = worker.wait_ready()
                if not ready.get("ready"):
                    response = ready
                    raise _InitFailed()
            deadline = time.monotonic() + timeout
            request = {
                "request_id": request_id,
                "event": event,
                "deadline_ms": time.time() * 1000 + timeout * 1000,
            }
            response = worker.invoke(request, deadline)
            response["max_memory_mb"] = worker.memory_used_mb  # as the limit counts it (worker_memory)
            keep = True
        except _InitFailed:
            pass
        except OutOfMemory:  # Lambda kills an environment over its memory and reports the limit as used
            response = {
                "ok": False,
                "error_type": "Runtime.OutOfMemory",
                "error_message": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                "traceback": "",
                "max_memory_mb": int(config["memory_mb"]),
            }
        except WorkerTimedOut:
            response = {
                "ok": False,
                "error_type": "TimeoutError",
                "error_message": f"Task timed out after {timeout:.2f} seconds",
                "traceback": "",
                "duration_ms": timeout * 1000,
            }
        except WorkerGone as exc:
            response = {
                "ok": False,
                "error_type": "Runtime.ExitError",
                "error_message": f"RequestId: {request_id} Error: {exc}; "
                "the next invocation starts a new worker",
                "traceback": "",
            }
        logs = _lambda_logs(request_id, config, worker, response, cold, worker.take_logs())
        waited_ms = (time.monotonic() - started) * 1000
        return _result(name, response, logs, waited_ms, cold), keep

    def _spec(self, config: Mapping[str, Any]) -> WorkerSpec:
        return WorkerSpec(
            function_name=str(config["name"]),
            version=int(config["version"]),
            code_dir=self.root / str(config["name"]) / "versions" / str(config["version"]),
            handler=str(config["handler"]),
            memory_mb=int(config["memory_mb"]),
            timeout_seconds=float(config["timeout_seconds"]),
            environment=dict(config["environment"]),
        )

    def _pool(self, name: str, max_concurrency: int) -> WorkerPool:
        with self._lock:
            pool = self._pools.get(name)
            if pool is None or pool.closed:
                pool = self._pools[name] = WorkerPool(max_concurrency)
            return pool

    def _read_config(self, name: str) -> dict[str, Any] | None:
        try:
            config: dict[str, Any] = json.loads((self.root / name / "function.json").read_bytes())
        except (FileNotFoundError, NotADirectoryError):
            return None
        return config

    def _config(self, name: str) -> dict[str, Any]:
        config = self._read_config(name) if isinstance(name, str) and "/" not in name else None
        if config is None:
            known = ", ".join(f.name for f in self.list_functions()) or "none"
            raise NotFound(
                f"no function named {name!r} (deployed: {known}); deploy it first",
                provider=self.provider,
                operation="functions",
            )
        return config


class _InitFailed(Exception):
    """The worker could not import the handler (its message is the response)."""


def _close_pools(pools: dict[str, WorkerPool]) -> None:
    for pool in list(pools.values()):
        pool.close()


def _validate_limits(
    timeout_seconds: float,
    memory_mb: int,
    environment: Mapping[str, str] | None,
    max_concurrency: int | None,
) -> None:
    if not 0 < timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise InvalidArgument(f"timeout_seconds must be in (0, {MAX_TIMEOUT_SECONDS}], got {timeout_seconds}")
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise InvalidArgument(
            f"memory_mb must be between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}, got {memory_mb}"
        )
    if max_concurrency is not None and max_concurrency < 1:
        raise InvalidArgument(f"max_concurrency must be at least 1, got {max_concurrency}")
    for key, value in (environment or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidArgument(f"environment must map strings to strings; convert {key!r} with str()")


def _function_info(config: Mapping[str, Any], provider: str) -> FunctionInfo:
    return FunctionInfo(
        name=str(config["name"]),
        runtime=str(config["runtime"]),
        handler=str(config["handler"]),
        timeout_seconds=config["timeout_seconds"],
        memory_mb=int(config["memory_mb"]),
        provider=provider,
        version=str(config["version"]),
    )


def _lambda_logs(
    request_id: str,
    config: Mapping[str, Any],
    worker: WarmWorker,
    response: Mapping[str, Any],
    cold: bool,
    output: str,
) -> str:
    """Captured output framed by CloudWatch-style START/END/REPORT lines."""
    duration = float(response.get("duration_ms", 0.0))
    used = float(response.get("max_memory_mb", worker.memory_used_mb))
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
        f"Memory Size: {config['memory_mb']} MB\tMax Memory Used: {used:.0f} MB"
    )
    if cold:
        report += f"\tInit Duration: {worker.init_ms:.2f} ms"
    if output and not output.endswith("\n"):
        output += "\n"
    return (
        f"START RequestId: {request_id} Version: {config['version']}\n{output}"
        f"END RequestId: {request_id}\n{report}\n"
    )


def _result(
    name: str, response: Mapping[str, Any], logs: str, waited_ms: float, cold: bool
) -> InvocationResult:
    if response.get("ok"):
        return InvocationResult(
            function=name,
            status_code=200,
            payload=response.get("payload"),
            logs=logs,
            duration_ms=waited_ms,
            cold_start=cold,
        )
    trace = str(response.get("traceback", ""))
    error_type = str(response.get("error_type", "Runtime.Unknown"))
    message = str(response.get("error_message", ""))
    return InvocationResult(
        function=name,
        status_code=200,
        payload={"errorType": error_type, "errorMessage": message, "stackTrace": trace.splitlines()},
        error_type=error_type,
        error_message=message,
        traceback=trace,
        logs=logs,
        duration_ms=waited_ms,
        cold_start=cold,
    )
