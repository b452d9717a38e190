"""Run a child in its own process group, watched: a timeout or a stop request kills everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

POLL_SECONDS = 0.02
#: how often ``run_watched`` shows a running child's output to ``watch``
WATCH_SECONDS = 1.0


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    #: ended because ``should_stop()`` turned true (a stop request, a reclaimed spot instance)
    stopped: bool = False


class Child(Protocol):
    """A started process that leads its own process group."""

    pid: int

    def poll(self) -> int | None: ...


Launcher = Callable[[Sequence[str], Path, Mapping[str, str], Path, Path], Child]


def popen_launcher(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], stdout: Path, stderr: Path
) -> Child:
    """A fresh interpreter per job (the portable way; see :mod:`.preload` for the fast one)."""
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        return subprocess.Popen(  # noqa: S603 - the learner's own job
            list(args),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )


def run_watched(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    should_stop: Callable[[], bool] | None = None,
    grace_seconds: float = 2.0,
    launcher: Launcher | None = None,
    watch: Callable[[str], None] | None = None,
) -> Completed:
    """Run ``args`` until it exits, times out or ``should_stop()``: then SIGTERM, SIGKILL after the grace.

    ``watch(stdout so far)`` is called about every ``WATCH_SECONDS`` while the child runs (live logs).
    """
    with tempfile.TemporaryDirectory(prefix="cloudai-proc-") as work:
        out, err = Path(work, "stdout"), Path(work, "stderr")
        child = (launcher or popen_launcher)(args, cwd, env, out, err)
        started = watched = time.monotonic()
        timed_out = stopped = False
        returncode = child.poll()
        while returncode is None:
            if watch is not None and time.monotonic() - watched >= WATCH_SECONDS:
                watched = time.monotonic()
                watch(_read(out))
            if should_stop is not None and should_stop():
                stopped = True
                returncode = kill_group(child, grace_seconds)
            elif time.monotonic() - started > timeout:
                timed_out = True
                returncode = kill_group(child, 0)
            else:
                time.sleep(POLL_SECONDS)
                returncode = child.poll()
        kill_group(child, 0)  # whatever the script left running in its group goes with it
        return Completed(
            returncode,
            _read(out),
            _read(err),
            timed_out=timed_out,
            stopped=stopped,
        )


def _read(path: Path) -> str:
    """What the child wrote to ``path``; nothing when it was stopped before it opened the file (a forked
    child opens its own output files, so a stop that comes first leaves none)."""
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def kill_group(child: Child, grace_seconds: float) -> int:
    """SIGTERM the child's process group, SIGKILL it after ``grace_seconds``; the child's exit code."""
    if grace_seconds > 0:
        _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
    _signal_group(child.pid, signal.SIGKILL)
    while (code := child.poll()) is None:
        time.sleep(POLL_SECONDS)
    return code


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_group(args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> Completed:
    """Run ``args`` to completion in a fresh interpreter; on timeout kill the whole process group."""
    return run_watched(args, cwd=cwd, env=env, timeout=timeout)
