"""Warm worker processes for on-prem functions: spawn, invoke over a JSON-lines pipe, time out, kill.

A :class:`WarmWorker` is one ``python -m multi_cloud.onprem.function_worker`` process with a scrubbed
environment (:func:`worker_environment`), its code directory as working directory, a private ``TMPDIR``, and
the limits of :mod:`.worker_limits`. Killing it (timeout, retirement, ``close``) kills every process the
handler started, whatever session it moved to (:mod:`.process_tree`). A :class:`WorkerPool` holds one
function's workers and enforces its concurrency limit: at most ``max_concurrency`` invocations run at once,
each in its own worker; an excess invocation waits up to ``max_wait_seconds`` for a slot and then raises
Throttled. Isolation for mistakes, not a security boundary.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import multi_cloud
from multi_cloud.onprem import process_tree, worker_limits, worker_memory

#: a worker idle this long is retired by the parent; the worker itself exits a little later
DEFAULT_IDLE_SECONDS = 300.0
_WORKER_GRACE_SECONDS = 5.0
_INIT_TIMEOUT_FLOOR = 10.0
_LOG_TAIL_BYTES = 64 * 1024
#: how often the parent counts a running worker's processes (the process limit where RLIMIT_NPROC is not
#: enforced: for root)
_PROCESS_CHECK_SECONDS = 0.05
#: what a worker's environment takes from this process, besides what the spec sets
_RUNTIME_PATH = "/usr/local/bin:/usr/bin:/bin"


class WorkerGone(Exception):
    """The worker process ended (crash, exit, kill) before answering."""


class WorkerTimedOut(Exception):
    """The worker did not answer before the deadline (it has been killed)."""


class TooManyProcesses(WorkerGone):
    """The handler started more processes than the limit (the worker and all of them have been killed)."""


class OutOfMemory(WorkerGone):
    """The execution environment held more resident memory than ``memory_mb`` (it has been killed)."""


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
    max_processes: int = worker_limits.MAX_PROCESSES
    max_file_size_mb: int = worker_limits.MAX_FILE_SIZE_MB


class LineReader:
    """Read newline-terminated messages from a pipe with a deadline (select + os.read, no threads)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self._poller = select.poll()  # unlike select.select, not limited to fds below 1024
        self._poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def readline(self, deadline: float, check: Callable[[], None] | None = None) -> bytes | None:
        """One line without its newline; None if ``deadline`` (monotonic) passed; WorkerGone on EOF.

        ``check`` runs every ``_PROCESS_CHECK_SECONDS`` while waiting (it may raise to stop waiting).
        """
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if check is not None:
                check()
                remaining = min(remaining, _PROCESS_CHECK_SECONDS)
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
        self.mark = uuid.uuid4().hex
        self.log_path = log_dir / f"worker-{self.mark}.log"
        self.log_path.write_bytes(b"")
        self.tmp_dir = log_dir.parent / "tmp" / self.mark  # this execution environment's /tmp
        self.tmp_dir.mkdir(mode=0o700, parents=True)
        config = {
            "code_dir": str(spec.code_dir),
            "handler": spec.handler,
            "memory_mb": spec.memory_mb,
            "log_file": str(self.log_path),
            "idle_exit_seconds": idle_seconds + _WORKER_GRACE_SECONDS,
            "function_name": spec.function_name,
            "function_version": str(spec.version),
            "max_processes": spec.max_processes,
            "max_file_size_mb": spec.max_file_size_mb,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "multi_cloud.onprem.function_worker", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=spec.code_dir,
            env=worker_environment(spec, self.tmp_dir, self.mark),
            start_new_session=True,  # its own process group and session, apart from this process's
        )
        _live_workers.add(self)
        assert self.process.stdout is not None
        self.reader = LineReader(self.process.stdout.fileno())
        self.spawned = time.monotonic()
        self.init_ms = 0.0
        #: the most resident memory (MiB) the worker and its processes held, as the limit counts it
        self.memory_used_mb = 0.0

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
        """Kill the worker and every process it started (any session); reap it. Safe to call twice."""
        # once reaped, the PID may belong to someone else: then only the marker finds the worker's processes
        root = self.process.pid if self.process.returncode is None else -1
        process_tree.kill_tree(root, self.mark)
        self.process.wait()
        _live_workers.discard(self)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def discard(self) -> None:
        self.kill()
        self.log_path.unlink(missing_ok=True)
        shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def _check_limits(self) -> None:
        """Kill the worker if it runs more processes (RLIMIT_NPROC spares root) or memory than allowed."""
        tree = process_tree.descendants(self.process.pid) if process_tree.has_proc() else set()
        if len(tree) > self.spec.max_processes:
            self.kill()
            raise TooManyProcesses(
                f"the handler ran {len(tree)} processes, more than the limit of {self.spec.max_processes}; "
                "the worker and its processes were killed"
            )
        self._check_memory(tree)

    def _check_memory(self, tree: set[int]) -> None:
        """Kill the worker if its environment held more than ``memory_mb`` (see :mod:`.worker_memory`)."""
        used = worker_memory.used_mb(self.process.pid, tree)
        self.memory_used_mb = max(self.memory_used_mb, used)
        if worker_memory.over_limit(used, self.spec.memory_mb):
            self.kill()
            raise OutOfMemory(
                f"the function used {used:.0f} MB of resident memory, more than its {self.spec.memory_mb} "
                "MB; the worker and its processes were killed"
            )

    def _receive(self, deadline: float) -> dict[str, Any]:
        try:
            line = self.reader.readline(deadline, self._check_limits)
            if line is not None:  # a spike between two samples still shows in the peak
                self._check_memory(
                    process_tree.descendants(self.process.pid) if process_tree.has_proc() else set()
                )
        except (TooManyProcesses, OutOfMemory):
            raise
        except WorkerGone:
            self.kill()  # its children may outlive it
            raise WorkerGone(self.exit_description()) from None
        if line is None:
            self.kill()
            raise WorkerTimedOut()
        message: dict[str, Any] = json.loads(line)
        return message


def worker_environment(spec: WorkerSpec, tmp_dir: Path, mark: str) -> dict[str, str]:
    """A runtime's environment, nothing inherited from this process but the library path.

    The runtime's variables (paths, locale, time zone, task root, ``TMPDIR``), then the function's own
    (``spec.environment``: the Lambda sandbox puts Lambda's documented variables and the local endpoints
    there), and the marker that finds the worker's processes.
    """
    runtime_dir = str(Path(multi_cloud.__file__).resolve().parents[1])
    code_dir = str(spec.code_dir)
    inherited_libraries = os.environ.get("LD_LIBRARY_PATH", "")  # the interpreter itself may need it
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), _RUNTIME_PATH]),
        "LD_LIBRARY_PATH": os.pathsep.join(filter(None, [f"{code_dir}/lib", inherited_libraries])),
        "PYTHONPATH": os.pathsep.join([code_dir, runtime_dir]),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": code_dir,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "TMPDIR": str(tmp_dir),
        "HOME": str(tmp_dir),
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": str(spec.version),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        # keep numeric libraries from reserving address space per thread under the memory limit
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    env.update(spec.environment)
    env[process_tree.MARK_VARIABLE] = mark
    return env


#: every worker not yet killed, so :func:`kill_all_workers` reaches busy ones too
_live_workers: weakref.WeakSet[WarmWorker] = weakref.WeakSet()


def kill_all_workers() -> int:
    """Kill every worker this process started (idle or busy) and everything they started."""
    workers = list(_live_workers)
    for worker in workers:
        worker.kill()
    return len(workers)


class WorkerPool:
    """One function's warm workers and its concurrency slots."""

    def __init__(self, max_concurrency: int) -> None:
        self.max_concurrency = max_concurrency
        self.idle: list[WarmWorker] = []
        self.members: set[WarmWorker] = set()  # idle and busy
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
                self.members.add(worker)
            elif worker is not None:
                self.members.discard(worker)
            self._condition.notify()
        if worker is not None and not keep:
            worker.discard()

    def retire_idle(self, version: int) -> None:
        """Discard idle workers that are dead, of another version, or idle too long."""
        with self._condition:
            stale = [w for w in self.idle if w.is_stale(version)]
            self.idle = [w for w in self.idle if w not in stale]
            self.members.difference_update(stale)
        for worker in stale:
            worker.discard()

    def track(self, worker: WarmWorker) -> None:
        """``worker`` (just started for an acquired slot) is killed by ``close`` even while busy."""
        with self._condition:
            self.members.add(worker)

    def forget(self, worker: WarmWorker) -> None:
        """Discard ``worker`` (stale) while keeping its slot."""
        with self._condition:
            self.members.discard(worker)
        worker.discard()

    def close(self) -> None:
        """Stop accepting work and kill every worker, busy ones too (their invocations fail)."""
        with self._condition:
            self.closed = True
            workers, self.idle, self.members = list(self.members | set(self.idle)), [], set()
            self._condition.notify_all()
        for worker in workers:
            worker.discard()

    @property
    def warm_count(self) -> int:
        with self._condition:
            return len(self.idle)
