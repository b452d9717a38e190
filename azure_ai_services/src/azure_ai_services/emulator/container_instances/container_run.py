"""One container of a group as a local process: started under a supervisor, restarted by the group's policy.

The process gets only what the container declares (``environmentVariables``, secure values included), plus
``PORT`` (the loopback port its first declared port is mapped to), ``PATH``/``HOME`` and a
:mod:`~multi_cloud.onprem.process_tree` marker. It runs under :mod:`multi_cloud.onprem.supervise`, so it dies
with the emulator. Its output is the container's log (one run's worth, as ACI keeps only the current
instance's). When it exits, ``restartPolicy`` decides: ``Always`` restarts, ``OnFailure`` restarts on a
non-zero exit, ``Never`` leaves it ``Terminated``; restarts back off (1, 2, 4... up to 30 s) like ACI's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.onprem import process_tree

BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
#: exit code ACI reports for a container killed by a stop, restart or delete (SIGKILL)
KILLED_EXIT_CODE = 137


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class Event:
    """An entry of ``instanceView.events`` (repeats of the same name and message are counted)."""

    name: str
    message: str
    type: str = "Normal"
    count: int = 1
    first: str = field(default_factory=now)
    last: str = field(default_factory=now)

    def arm(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "firstTimestamp": self.first,
            "lastTimestamp": self.last,
            "name": self.name,
            "message": self.message,
            "type": self.type,
        }


@dataclass
class ContainerState:
    state: str
    start_time: str = ""
    finish_time: str = ""
    exit_code: int | None = None
    detail: str = ""

    def arm(self) -> dict[str, Any]:
        body: dict[str, Any] = {"state": self.state, "detailStatus": self.detail}
        if self.start_time:
            body["startTime"] = self.start_time
        if self.exit_code is not None:
            body["exitCode"] = self.exit_code
        if self.finish_time:
            body["finishTime"] = self.finish_time
        return body


class ContainerRun:
    """A container's process, its instance view and its restarts."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], work_dir: Path, restart_policy: str
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.work_dir = work_dir
        self.restart_policy = restart_policy
        self.log_path = work_dir / f"{name}.log"
        self.restart_count = 0
        self.current = ContainerState("Waiting", detail="Pending")
        self.previous: ContainerState | None = None
        self.events: list[Event] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._mark = ""
        self._guard = -1
        self._stopping = threading.Event()
        self._lock = threading.RLock()
        self._monitor: threading.Thread | None = None

    def event(self, name: str, message: str, kind: str = "Normal") -> None:
        with self._lock:
            for known in self.events:
                if known.name == name and known.message == message:
                    known.count += 1
                    known.last = now()
                    return
            self.events.append(Event(name, message, kind))

    def start(self) -> None:
        """Start the process and a thread that applies the restart policy when it exits."""
        self.stop()
        self._stopping = threading.Event()
        self._launch()
        self._monitor = threading.Thread(target=self._watch, name=f"aci-{self.name}", daemon=True)
        self._monitor.start()

    def _launch(self) -> None:
        self._mark = uuid.uuid4().hex
        watched, guard = os.pipe()
        environment = {
            "HOME": str(self.work_dir),
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            **self.env,
            process_tree.MARK_VARIABLE: self._mark,
            "PYTHONUNBUFFERED": "1",
        }
        with self.log_path.open("wb") as log:  # a new instance: ACI shows only the current run's logs
            try:
                self._process = subprocess.Popen(  # noqa: S603 - the container's own command
                    [sys.executable, "-m", "multi_cloud.onprem.supervise", str(watched), *self.argv],
                    cwd=self.work_dir,
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    pass_fds=(watched,),
                )
            finally:
                os.close(watched)
        self._guard = guard
        with self._lock:
            if self.current.state == "Terminated":
                self.previous = self.current  # previousState: the last run that ended
            self.current = ContainerState("Running", start_time=now(), detail="")
        self.event("Started", f"Started container {self.name}")

    def _watch(self) -> None:
        stopping = self._stopping
        attempt = 0
        while True:
            process = self._process
            if process is None:
                return
            code = process.wait()
            self._release_guard()
            if stopping.is_set():
                return
            with self._lock:
                self.current = ContainerState(
                    "Terminated",
                    start_time=self.current.start_time,
                    finish_time=now(),
                    exit_code=code,
                    detail="Completed" if code == 0 else "Error",
                )
            if not self._restarts_after(code):
                return
            delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
            attempt += 1
            if code != 0:
                self.event("BackOff", "Back-off restarting failed container", "Warning")
            if stopping.wait(delay):
                return
            with self._lock:
                self.restart_count += 1
            self._launch()

    def _restarts_after(self, code: int) -> bool:
        return self.restart_policy == "Always" or (self.restart_policy == "OnFailure" and code != 0)

    def _release_guard(self) -> None:
        if self._guard >= 0:
            os.close(self._guard)
            self._guard = -1

    def alive(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def stop(self, reason: str = "") -> None:
        """Kill the process and everything it started; the container is ``Terminated`` (137)."""
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process_tree.kill_tree(process.pid, self._mark, timeout=5.0)
            process.wait(timeout=10)
            with self._lock:
                self.current = ContainerState(
                    "Terminated",
                    start_time=self.current.start_time,
                    finish_time=now(),
                    exit_code=KILLED_EXIT_CODE,
                    detail="Killed",
                )
            if reason:
                self.event("Killing", reason)
        monitor = self._monitor
        if monitor is not None and monitor is not threading.current_thread():
            monitor.join(timeout=10)
        self._monitor = None
        self._release_guard()

    def will_run_again(self) -> bool:
        """Running, or about to restart under its policy."""
        with self._lock:
            if self.current.state != "Terminated":
                return self.current.state == "Running"
            return not self._stopping.is_set() and self._restarts_after(self.current.exit_code or 0)

    def logs(self, tail: int | None) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        if tail is not None and tail >= 0:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[-tail:]) if tail else ""
        return text

    def instance_view(self) -> dict[str, Any]:
        with self._lock:
            view: dict[str, Any] = {
                "restartCount": self.restart_count,
                "currentState": self.current.arm(),
                "events": [event.arm() for event in self.events],
            }
            if self.previous is not None:
                view["previousState"] = self.previous.arm()
            return view
