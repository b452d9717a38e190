"""Start, stop and inspect the background local cloud (``cloudai local up | down | status | env``)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import AlreadyExists, NotFound, Unavailable
from multi_cloud.local_cloud.paths import StatePaths, state_paths

START_TIMEOUT = 60.0


@dataclass
class Status:
    running: bool
    pid: int | None = None
    state_dir: Path | None = None
    backends: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(paths: StatePaths) -> int | None:
    try:
        return int(paths.pid.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _clean_stale(paths: StatePaths) -> str:
    pid = _read_pid(paths)
    if pid is not None and not _alive(pid):
        paths.pid.unlink(missing_ok=True)
        paths.state.unlink(missing_ok=True)
        return f"removed a stale PID file (process {pid} was gone)"
    return ""


def status(root: Path | None = None) -> Status:
    paths = state_paths(root)
    note = _clean_stale(paths)
    pid = _read_pid(paths)
    if pid is None:
        return Status(running=False, state_dir=paths.root, note=note)
    try:
        state = json.loads(paths.state.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return Status(running=True, pid=pid, state_dir=paths.root, note="starting")
    return Status(
        running=True,
        pid=pid,
        state_dir=paths.root,
        backends=state.get("backends", {}),
        skipped=state.get("skipped", {}),
        env=state.get("env", {}),
        note=note,
    )


def up(root: Path | None = None, *, timeout: float = START_TIMEOUT) -> Status:
    """Start the local cloud in the background; refuses when one is already running."""
    paths = state_paths(root)
    _clean_stale(paths)
    _claim(paths)
    log = paths.log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "multi_cloud.local_cloud.daemon", "--state-dir", str(paths.root)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    _replace_text(paths.pid, str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            paths.pid.unlink(missing_ok=True)
            raise Unavailable(
                f"the local cloud exited during start-up (code {process.returncode}). "
                f"Last log lines from {paths.log}:\n{_tail(paths.log)}"
            )
        current = status(paths.root)
        if current.backends:
            return current
        time.sleep(0.1)
    down(paths.root)
    raise Unavailable(f"the local cloud did not start within {timeout:.0f} s; see {paths.log}")


def _claim(paths: StatePaths) -> None:
    """Create the PID file, holding this process's PID until the daemon's replaces it; exactly one of two
    ``up`` commands started at once wins (the file is created exclusively), the other is told it runs."""
    try:
        fd = os.open(paths.pid, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        pid = _read_pid(paths)
        raise AlreadyExists(
            f"the local cloud is already running{f' (pid {pid})' if pid else ' (starting)'}; state in "
            f"{paths.root}. Use `cloudai local status`, or `cloudai local down` first."
        ) from None
    with os.fdopen(fd, "w") as claim:
        claim.write(str(os.getpid()))


def _replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a reader sees the old content or the new, never a part."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def down(root: Path | None = None, *, timeout: float = 15.0) -> int:
    """Stop the background local cloud; returns the PID stopped."""
    paths = state_paths(root)
    _clean_stale(paths)
    pid = _read_pid(paths)
    if pid is None:
        raise NotFound(f"no local cloud is running (state dir {paths.root})")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        _reap(pid)
    paths.pid.unlink(missing_ok=True)
    paths.state.unlink(missing_ok=True)
    return pid


def _reap(pid: int) -> None:
    """Collect our own child's exit status so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def shell_exports(env: dict[str, str]) -> str:
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items()))


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
