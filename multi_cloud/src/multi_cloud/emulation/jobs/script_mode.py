"""Run a training script under a cloud's container contract, as a local process.

The script sees what it would see in the provider's training container — for SageMaker: ``SM_MODEL_DIR``,
``SM_CHANNEL_<NAME>``, ``SM_HPS``/``SM_HP_<NAME>``, ``input/config/hyperparameters.json`` (under a work
directory), hyperparameters as ``--name value`` arguments; for Vertex ``AIP_*``; for Azure ML
``AZUREML_*`` (:mod:`.contracts`). Whatever it writes to the model directory becomes ``model.tar.gz``.
Jobs fork from a server with scikit-learn preloaded when they can (:mod:`.preload`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.archives import pack_model_dir, unpack_model
from multi_cloud.emulation.jobs.contracts import SAGEMAKER, ContainerContract, hp_string
from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.metrics import DEFAULT_METRIC_REGEX, parse_metrics
from multi_cloud.emulation.jobs.processes import popen_launcher, run_watched

__all__ = [
    "DEFAULT_METRIC_REGEX",
    "ContainerLayout",
    "ScriptResult",
    "pack_model_dir",
    "parse_metrics",
    "run_script",
    "unpack_model",
]

#: lines of stderr kept as the failure reason when the script leaves no ``output/failure`` file
FAILURE_LINES = 10


@dataclass(frozen=True)
class ScriptResult:
    returncode: int
    model_dir: Path
    output_dir: Path
    logs: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    failure_reason: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    #: ended by a stop request (StopTrainingJob, a reclaimed spot instance)
    stopped: bool = False

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0 and not (self.timed_out or self.stopped)


def run_script(
    entry_point: str | Path,
    layout: ContainerLayout,
    *,
    source_dir: str | Path | None = None,
    hyperparameters: Mapping[str, Any] | None = None,
    channels: list[str] | None = None,
    metric_regexes: Mapping[str, str] | None = None,
    timeout: float = 3600,
    python: str = sys.executable,
    contract: ContainerContract = SAGEMAKER,
    should_stop: Callable[[], bool] | None = None,
    grace_seconds: float = 2.0,
    preload: bool = True,
    base_env: Mapping[str, str] | None = None,
    command: Sequence[str] | None = None,
    watch: Callable[[str], None] | None = None,
) -> ScriptResult:
    """Run ``entry_point`` to completion under ``contract``; never raises for a failing script.

    ``command`` (e.g. ``["/bin/sh", "-c", "..."]``) runs instead of ``python entry_point --hp value``, in
    ``entry_point``'s directory, with the same environment. ``watch(stdout so far)`` is called about once
    a second while the script runs (live logs).
    """
    hyperparameters = dict(hyperparameters or {})
    channels = list(channels or [])
    layout.create(channels)
    (layout.config_dir / "hyperparameters.json").write_text(
        json.dumps({k: hp_string(v) for k, v in hyperparameters.items()})
    )
    script = Path(source_dir, entry_point) if source_dir else Path(entry_point)
    if command is None and not script.is_file():
        return ScriptResult(
            returncode=2,
            model_dir=layout.model_dir,
            output_dir=layout.output_dir,
            logs="",
            failure_reason=f"entry point {script} does not exist",
        )
    args = list(command) if command else [python, str(script.resolve()), *contract.arguments(hyperparameters)]
    workdir = script.resolve() if script.is_dir() else script.resolve().parent
    env = {
        **(os.environ if base_env is None else base_env),
        **contract.environment(layout, hyperparameters, channels),
    }
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(script.resolve().parent), env.get("PYTHONPATH", "")) if p
    )
    launcher = None
    if preload:
        from multi_cloud.emulation.jobs.preload import preload_launcher

        launcher = preload_launcher
    started = time.monotonic()
    done = run_watched(
        args,
        cwd=workdir,
        env=env,
        timeout=timeout,
        should_stop=should_stop,
        grace_seconds=grace_seconds,
        launcher=launcher or popen_launcher,
        watch=watch,
    )
    seconds = time.monotonic() - started
    logs = done.stdout + done.stderr
    return ScriptResult(
        returncode=done.returncode,
        model_dir=layout.model_dir,
        output_dir=layout.output_dir,
        logs=logs,
        metrics=parse_metrics(logs, metric_regexes),
        failure_reason=_failure_reason(
            done.returncode, done.stderr, layout, timeout, done.timed_out, done.stopped
        ),
        seconds=seconds,
        timed_out=done.timed_out,
        stopped=done.stopped,
    )


def _failure_reason(
    returncode: int, stderr: str, layout: ContainerLayout, timeout: float, timed_out: bool, stopped: bool
) -> str:
    """``output/failure`` if the script wrote one (the container contract), else its last error lines."""
    if timed_out:
        return f"training script exceeded its {timeout:.0f} s limit and was stopped"
    if stopped:
        return "the training process was stopped (SIGTERM, then SIGKILL after the grace period)"
    if returncode == 0:
        return ""
    failure_file = layout.output_dir / "failure"
    if failure_file.is_file() and failure_file.read_text().strip():
        return failure_file.read_text().strip()
    return "\n".join(stderr.strip().splitlines()[-FAILURE_LINES:]) or f"exit code {returncode}"
