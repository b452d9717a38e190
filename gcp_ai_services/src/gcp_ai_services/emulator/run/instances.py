"""One local process per Cloud Run revision, listening on a free loopback ``$PORT``; started, probed, killed.

The process gets the variables Cloud Run sets (``PORT``, ``K_SERVICE``, ``K_REVISION``, ``K_CONFIGURATION``,
``GOOGLE_CLOUD_PROJECT``), the container's ``env``, the local cloud's endpoints when they are on loopback, and
a :mod:`~multi_cloud.onprem.process_tree` marker so that stopping it kills everything it started. It is ready
once it accepts connections on ``$PORT`` (Cloud Run's default TCP startup probe); exiting first fails the
deployment with the end of its log. Its output is appended to ``<log_root>/<project>/<location>/<service>/
<revision>.log`` (``$CLOUDAI_STATE_DIR/gcp-run/...``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from multi_cloud.emulation.http.ports import free_port, wait_for_port
from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.onprem import process_tree

from gcp_ai_services.emulator.functions.runner import FORWARDED, LOOPBACK

#: how long a revision may take to listen on $PORT (Cloud Run's default startup probe allows 240 s)
STARTUP_SECONDS = 120.0
_LOG_TAIL_CHARS = 2000


@dataclass
class Instance:
    """A running revision process."""

    revision: str
    port: int
    process: subprocess.Popen[bytes]
    mark: str
    log_path: Path
    started: float
    #: the write end of the pipe the supervisor watches: closed (by a stop, or the emulator's death) = die
    guard: int

    def alive(self) -> bool:
        return self.process.poll() is None


class Instances:
    """The revision processes, by revision name."""

    def __init__(self, log_root: Path) -> None:
        self.log_root = log_root
        self._running: dict[str, Instance] = {}
        self._lock = threading.Lock()

    def log_path(self, revision: str) -> Path:
        """``projects/p/locations/l/revisions/r`` -> its log file."""
        _, project, _, location, _, service, _, short = revision.split("/")
        return self.log_root / project / location / service / f"{short}.log"

    def start(self, revision: str, argv: list[str], code_dir: Path, env: dict[str, str]) -> Instance:
        """Start the revision's process and wait until it listens on ``$PORT``; FAILED_PRECONDITION if not."""
        self.stop(revision)
        port = free_port()
        mark = uuid.uuid4().hex
        log_path = self.log_path(revision)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = _environment(env, port, mark)
        watched, guard = os.pipe()
        supervised = [sys.executable, "-m", "multi_cloud.onprem.supervise", str(watched), *argv]
        with log_path.open("ab") as log:
            log.write(f"--- starting {revision} on port {port}: {' '.join(argv)}\n".encode())
            log.flush()
            try:
                process = subprocess.Popen(  # noqa: S603 - the learner's own revision
                    supervised,
                    cwd=code_dir,
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(watched,),
                )
            except OSError as exc:
                os.close(guard)
                raise _not_started(revision, port, f"the command could not start ({exc}).") from exc
            finally:
                os.close(watched)
        instance = Instance(revision, port, process, mark, log_path, time.monotonic(), guard)
        with self._lock:
            self._running[revision] = instance
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if wait_for_port(port, timeout=0.2):
                return instance
            if not instance.alive():
                self.stop(revision)
                raise _not_started(revision, port, "Logs:\n" + _tail(log_path))
        self.stop(revision)
        raise _not_started(revision, port, f"nothing listened within {STARTUP_SECONDS:.0f} s.")

    def get(self, revision: str) -> Instance | None:
        with self._lock:
            instance = self._running.get(revision)
        return instance if instance is not None and instance.alive() else None

    def stop(self, revision: str) -> None:
        with self._lock:
            instance = self._running.pop(revision, None)
        if instance is None:
            return
        if instance.alive():
            process_tree.kill_tree(instance.process.pid, instance.mark, timeout=5.0)
        instance.process.wait(timeout=10)
        os.close(instance.guard)
        with instance.log_path.open("a", encoding="utf-8") as log:
            log.write(f"--- stopped {revision}\n")

    def running(self) -> list[str]:
        with self._lock:
            return [name for name, instance in self._running.items() if instance.alive()]

    def close(self) -> None:
        with self._lock:
            names = list(self._running)
        for name in names:
            self.stop(name)


def _environment(env: dict[str, str], port: int, mark: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    base["PATH"] = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin"
    for variable in FORWARDED:
        value = os.environ.get(variable, "")
        if value and urlsplit(value).hostname in LOOPBACK:
            base[variable] = value
    return {**base, **env, "PORT": str(port), process_tree.MARK_VARIABLE: mark, "PYTHONUNBUFFERED": "1"}


def _tail(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL_CHARS:]
    except OSError:
        return "(no log)"


def _not_started(revision: str, port: int, detail: str) -> GoogleError:
    short = revision.rsplit("/", 1)[-1]
    return GoogleError(
        "FAILED_PRECONDITION",
        f"Revision '{short}' is not ready and cannot serve traffic. The user-provided container failed to "
        f"start and listen on the port defined provided by the PORT={port} environment variable. {detail}",
    )
