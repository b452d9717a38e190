"""Run one otter command in its own process group and local-cloud state dir, with a timeout."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from multi_cloud.grading.errors import GradingError


@dataclass(frozen=True)
class Run:
    """How a subprocess ended: exit code (None when it timed out), combined output, wall seconds."""

    returncode: int | None
    output: str
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def require_otter() -> None:
    """A GradingError with the install command when otter-grader is missing."""
    if importlib.util.find_spec("otter") is None:
        raise GradingError(
            "otter-grader is not installed in this environment",
            "pip install -e '.[notebooks]'  (or: uv pip install -r requirements.txt)",
        )


def run_otter(args: list[str], *, timeout: float, cwd: Path | None = None) -> Run:
    """``python -m otter ARGS`` (kernel startup timeout raised) with a fresh ``CLOUDAI_STATE_DIR``.

    The fresh state dir makes each run start its own local cloud.

    The whole process group (otter, its Jupyter kernel, the kernel's local cloud) is killed when the
    timeout passes, and once more when otter exits; so are the processes the local cloud started in
    sessions of their own (found by that unique state dir in their environment): nothing outlives the run.
    """
    with tempfile.TemporaryDirectory(prefix="cloudai-grading-state-") as state_dir:
        env = {**os.environ, "CLOUDAI_STATE_DIR": state_dir, "PYTHONUNBUFFERED": "1"}
        started = time.monotonic()
        with tempfile.TemporaryFile(mode="w+b") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "multi_cloud.grading.otter_entry", *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
            returncode: int | None
            try:
                returncode = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                returncode = None
            finally:
                _kill_group(process.pid)
                process.wait()
                _kill_leftovers(state_dir)
            log.seek(0)
            output = log.read().decode("utf-8", errors="replace")
    return Run(returncode, output, time.monotonic() - started)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_leftovers(state_dir: str) -> None:
    """SIGKILL this run's processes that left its process group (Linux /proc; elsewhere a no-op)."""
    marker = f"CLOUDAI_STATE_DIR={state_dir}".encode() + b"\0"
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
