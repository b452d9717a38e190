"""Run a child process in its own process group so a timeout kills everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def run_group(args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> Completed:
    """Run ``args`` to completion; on timeout kill the whole process group (children included)."""
    process = subprocess.Popen(  # noqa: S603 - callers pass the learner's own script
        list(args),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return Completed(process.returncode, stdout, stderr, timed_out=False)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stdout, stderr = process.communicate()
        return Completed(-9, stdout, stderr, timed_out=True)
