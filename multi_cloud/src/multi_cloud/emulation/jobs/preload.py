"""A fork server for training jobs: one process with the heavy modules imported, forked once per job.

Starting Python and importing scikit-learn costs 1.5-3 s per job; a job forked from a process that already
imported them starts in milliseconds. Each job is still a fresh process of its own (its own process group,
environment, working directory, ``sys.argv`` and output files) running the script as ``__main__``. POSIX
only; where ``fork`` is missing, or the command is not ``python script.py ...``, jobs start a fresh
interpreter instead (:func:`.processes.popen_launcher`).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from multi_cloud.emulation.jobs.processes import Child, popen_launcher

#: imported once by the fork server: what training scripts in the lessons import
PRELOADED = (
    "numpy",
    "pandas",
    "joblib",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "sklearn.model_selection",
)
START_TIMEOUT = 60.0

_lock = threading.Lock()
_server: ForkServer | None = None


class ForkedChild:
    """A job forked by the server; its exit status arrives on the connection that asked for it."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._buffer = b""
        first = self._message(block=True)
        self.pid = int(first["pid"]) if first else -1
        self._returncode: int | None = None

    def _message(self, *, block: bool) -> dict[str, int] | None:
        while b"\n" not in self._buffer:
            if not block and not select.select([self._connection], [], [], 0)[0]:
                return None
            chunk = self._connection.recv(4096)
            if not chunk:  # the server went away: the job's fate is unknown, report it killed
                return {"pid": -1, "exit": -9}
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        message: dict[str, int] = json.loads(line)
        return message

    def poll(self) -> int | None:
        if self._returncode is None:
            message = self._message(block=False)
            if message is None:
                return None
            self._returncode = int(message["exit"])
            self._connection.close()
        return self._returncode


class ForkServer:
    """The server process (``python -m multi_cloud.emulation.jobs.zygote``) and how to reach it."""

    def __init__(self, python: str = sys.executable, modules: Sequence[str] = PRELOADED) -> None:
        self.python = python
        self._dir = tempfile.mkdtemp(prefix="cloudai-forkserver-")
        self.address = os.path.join(self._dir, "socket")
        self._process = subprocess.Popen(  # noqa: S603 - our own module
            [python, "-m", "multi_cloud.emulation.jobs.zygote", self.address, *modules],
            stdin=subprocess.PIPE,  # never written: it closes when this process ends, and the server exits
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._ready = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def wait_ready(self) -> bool:
        import time

        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self.address):
            if not self.alive() or time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        self._ready = True
        return True

    def launch(
        self, args: Sequence[str], cwd: Path, env: Mapping[str, str], stdout: Path, stderr: Path
    ) -> ForkedChild:
        request = {
            "script": args[1],
            "argv": list(args[1:]),
            "cwd": str(cwd),
            "env": dict(env),
            "stdout": str(stdout),
            "stderr": str(stderr),
        }
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(self.address)
        connection.sendall(json.dumps(request).encode() + b"\n")
        return ForkedChild(connection)

    def stop(self) -> None:
        if self.alive():
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
        for stream in (self._process.stdin, self._process.stderr):
            if stream is not None:
                stream.close()
        try:
            os.unlink(self.address)
        except FileNotFoundError:
            pass
        try:
            os.rmdir(self._dir)
        except OSError:
            pass


def fork_server() -> ForkServer | None:
    """The process's fork server, started on first use; ``None`` where fork is unavailable or it died."""
    global _server
    if not hasattr(os, "fork") or os.environ.get("CLOUDAI_NO_FORKSERVER"):
        return None
    with _lock:
        if _server is not None and _server.alive():
            return _server
        if _server is not None:
            _server.stop()
        _server = ForkServer()
        if not _server.wait_ready():
            _server.stop()
            _server = None
            return None
        return _server


def stop_fork_server() -> None:
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None


atexit.register(stop_fork_server)


def preload_launcher(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], stdout: Path, stderr: Path
) -> Child:
    """Fork ``python script.py ...`` from the fork server when it can; else start a fresh interpreter."""
    server = fork_server() if _is_python_script(args) else None
    if server is not None and os.path.realpath(args[0]) == os.path.realpath(server.python):
        try:
            return server.launch(args, cwd, env, stdout, stderr)
        except OSError:
            pass  # the server is gone: fall back for this job, a new one starts next time
    return popen_launcher(args, cwd, env, stdout, stderr)


def _is_python_script(args: Sequence[str]) -> bool:
    return len(args) >= 2 and os.path.basename(args[0]).startswith("python") and args[1].endswith(".py")
