"""Warm worker processes for on-prem functions: spawn, invoke over a JSON-lines pipe, time out, kill.

A :class:`WarmWorker` is one ``python -m multi_cloud.onprem.function_worker`` process in its own process
group (so a timeout kills the handler's children too). A :class:`WorkerPool` holds one function's warm
workers and enforces its concurrency limit: at most ``max_concurrency`` invocations run at once, each in its
own worker; an excess invocation waits up to ``max_wait_seconds`` for a slot and then raises Throttled.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import multi_cloud

#: a worker idle this long is retired by the parent; the worker itself exits a little later
DEFAULT_IDLE_SECONDS = 300.0
_WORKER_GRACE_SECONDS = 5.0
_INIT_TIMEOUT_FLOOR = 10.0
_LOG_TAIL_BYTES = 64 * 1024


class WorkerGone(Exception):
    """The worker process ended (crash, exit, kill) before answering."""


class WorkerTimedOut(Exception):
    """The worker did not answer before the deadline (it has been killed)."""


@dataclass(frozen=True)
class WorkerSpec:
    """Everything needed to start a worker for one version of one function."""

    function_name: str
    version: int
    code_dir: Path
    handler: str
    memory_mb: int
    timeout_seconds: float
    environment: Mapping[str, str] = field(default_factory=dict)


class LineReader:
    """Read newline-terminated messages from a pipe with a deadline (select + os.read, no threads)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self._poller = select.poll()  # unlike select.select, not limited to fds below 1024
        self._poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def readline(self, deadline: float) -> bytes | None:
        """One line without its newline; None if ``deadline`` (monotonic) passed; WorkerGone on EOF."""
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not self._poller.poll(remaining * 1000):
                continue
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise WorkerGone("worker closed its pipe")
            self.buffer += chunk
        line, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        return line


class WarmWorker:
    """One worker process serving one function version, one invocation at a time."""

    def __init__(self, spec: WorkerSpec, log_dir: Path, idle_seconds: float) -> None:
        self.spec = spec
        self.invocations = 0
        self.last_used = time.monotonic()
        self.idle_seconds = idle_seconds
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"worker-{os.getpid()}-{id(self):x}.log"
        self.log_path.write_bytes(b"")
        config = {
            "code_dir": str(spec.code_dir),
            "handler": spec.handler,
            "memory_mb": spec.memory_mb,
            "log_file": str(self.log_path),
            "idle_exit_seconds": idle_seconds + _WORKER_GRACE_SECONDS,
            "function_name": spec.function_name,
            "function_version": str(spec.version),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "multi_cloud.onprem.function_worker", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=spec.code_dir,
            env=_worker_environment(spec),
            start_new_session=True,  # its own process group: kill() reaches the handler's children
        )
        assert self.process.stdout is not None
        self.reader = LineReader(self.process.stdout.fileno())
        self.spawned = time.monotonic()
        self.init_ms = 0.0

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def is_stale(self, version: int) -> bool:
        idle_for = time.monotonic() - self.last_used
        return not self.alive or self.spec.version != version or idle_for > self.idle_seconds

    def wait_ready(self) -> dict[str, Any]:
        """The worker's init message (``ready`` true, or false with the import error).

        ``init_ms`` becomes the whole cold-start cost: interpreter start plus the handler's import.
        """
        deadline = time.monotonic() + max(_INIT_TIMEOUT_FLOOR, self.spec.timeout_seconds)
        message = self._receive(deadline)
        self.init_ms = (time.monotonic() - self.spawned) * 1000
        return message

    def invoke(self, request: Mapping[str, Any], deadline: float) -> dict[str, Any]:
        """Send one request and wait for its answer until ``deadline`` (monotonic)."""
        self.invocations += 1
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerGone(f"could not send the request: {exc}") from exc
        try:
            return self._receive(deadline)
        finally:
            self.last_used = time.monotonic()

    def take_logs(self) -> str:
        """What the handler printed since the last call (the tail, if it printed a lot)."""
        try:
            data = self.log_path.read_bytes()
            os.truncate(self.log_path, 0)  # the worker appends (O_APPEND), so it continues at 0
        except FileNotFoundError:
            return ""
        if len(data) > _LOG_TAIL_BYTES:
            data = b"...(truncated)...\n" + data[-_LOG_TAIL_BYTES:]
        return data.decode("utf-8", "replace")

    def exit_description(self) -> str:
        code = self.process.poll()
        if code is None:
            return "worker is still running"
        if code < 0:
            return f"worker process was killed by signal {signal.Signals(-code).name}"
        return f"worker process exited with status {code}"

    def kill(self) -> None:
        """Kill the worker and everything it started; reap it. Safe to call twice."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def discard(self) -> None:
        self.kill()
        self.log_path.unlink(missing_ok=True)

    def _receive(self, deadline: float) -> dict[str, Any]:
        try:
            line = self.reader.readline(deadline)
        except WorkerGone:
            self.process.wait()
            raise WorkerGone(self.exit_description()) from None
        if line is None:
            self.kill()
            raise WorkerTimedOut()
        message: dict[str, Any] = json.loads(line)
        return message


def _worker_environment(spec: WorkerSpec) -> dict[str, str]:
    package_parent = str(Path(multi_cloud.__file__).resolve().parents[1])
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH", "")]))
    # keep numeric libraries from reserving address space per thread under the memory limit
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": str(spec.version),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
        }
    )
    env.update(spec.environment)
    return env


class WorkerPool:
    """One function's warm workers and its concurrency slots."""

    def __init__(self, max_concurrency: int) -> None:
        self.max_concurrency = max_concurrency
        self.idle: list[WarmWorker] = []
        self.busy = 0
        self.closed = False
        self._condition = threading.Condition()

    def acquire(self, max_wait_seconds: float) -> tuple[bool, WarmWorker | None]:
        """Take a slot: (True, a warm worker or None meaning "start one"), or (False, None) on timeout."""
        deadline = time.monotonic() + max_wait_seconds
        with self._condition:
            while not self.idle and self.busy >= self.max_concurrency:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    return False, None
                self._condition.wait(remaining)
            self.busy += 1
            return True, (self.idle.pop() if self.idle else None)

    def release(self, worker: WarmWorker | None, *, keep: bool) -> None:
        """Give the slot back; ``keep`` returns the worker to the warm set, otherwise it is discarded."""
        with self._condition:
            self.busy -= 1
            keep = keep and worker is not None and worker.alive and not self.closed
            if keep and worker is not None:
                self.idle.append(worker)
            self._condition.notify()
        if worker is not None and not keep:
            worker.discard()

    def retire_idle(self, version: int) -> None:
        """Discard idle workers that are dead, of another version, or idle too long."""
        with self._condition:
            stale = [w for w in self.idle if w.is_stale(version)]
            self.idle = [w for w in self.idle if w not in stale]
        for worker in stale:
            worker.discard()

    def close(self) -> None:
        """Stop accepting work and kill idle workers (busy ones are killed when released)."""
        with self._condition:
            self.closed = True
            idle, self.idle = self.idle, []
            self._condition.notify_all()
        for worker in idle:
            worker.discard()

    @property
    def warm_count(self) -> int:
        with self._condition:
            return len(self.idle)
