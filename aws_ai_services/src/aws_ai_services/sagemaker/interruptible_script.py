"""Run a script-mode training script that the platform may interrupt, as spot capacity is reclaimed.

Same container contract as :func:`multi_cloud.emulation.jobs.script_mode.run_script` (``SM_*`` variables,
``--name value`` arguments, metrics parsed from the output), but the process is watched: when
``should_interrupt()`` turns true the whole process group gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.script_mode import ContainerLayout, ScriptResult, contract_env, parse_metrics

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Attempt:
    """One run of the script: its result and whether the platform stopped it."""

    result: ScriptResult
    interrupted: bool


def run_interruptible(
    entry_point: str,
    layout: ContainerLayout,
    *,
    source_dir: Path,
    hyperparameters: Mapping[str, Any],
    channels: list[str],
    should_interrupt: Callable[[], bool],
    metric_regexes: Mapping[str, str] | None = None,
    timeout: float = 3600,
    grace_seconds: float = 2.0,
) -> Attempt:
    """Run ``entry_point`` until it exits, times out, or ``should_interrupt()`` reclaims the instance."""
    layout.create(channels)
    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in hyperparameters.items()}
    (layout.config_dir / "hyperparameters.json").write_text(json.dumps(values))
    script = (source_dir / entry_point).resolve()
    args = [sys.executable, str(script)]
    for name, value in values.items():
        args += [f"--{name}", value]
    env = {**os.environ, **contract_env(layout, hyperparameters, channels)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(script.parent), env.get("PYTHONPATH", "")) if p)
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(  # noqa: S603 - the learner's own script
            args,
            cwd=script.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,
        )
        interrupted = timed_out = False
        while process.poll() is None:
            if should_interrupt():
                interrupted = True
                _stop_group(process, grace_seconds)
            elif time.monotonic() - started > timeout:
                timed_out = True
                _stop_group(process, 0)
            else:
                time.sleep(POLL_SECONDS)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    seconds = time.monotonic() - started
    logs = stdout + stderr
    failure = ""
    if interrupted:
        failure = "the spot instance was reclaimed (SIGTERM sent to the training process)"
    elif timed_out:
        failure = f"training script exceeded its {timeout:.0f} s limit and was stopped"
    elif process.returncode != 0:
        failure = "\n".join(stderr.strip().splitlines()[-10:]) or f"exit code {process.returncode}"
    result = ScriptResult(
        returncode=process.returncode,
        model_dir=layout.model_dir,
        output_dir=layout.output_dir,
        logs=logs,
        metrics=parse_metrics(logs, metric_regexes),
        failure_reason=failure,
        seconds=seconds,
    )
    return Attempt(result=result, interrupted=interrupted)


def _stop_group(process: subprocess.Popen[str], grace_seconds: float) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it after ``grace_seconds``."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace_seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
