"""Run a training script under SageMaker's script-mode container contract, as a local process.

The script sees what it would see in a training container: ``SM_MODEL_DIR``, ``SM_CHANNEL_<NAME>``,
``SM_HPS``/``SM_HP_<NAME>``, ``/opt/ml/input/config/hyperparameters.json`` (here under a work directory),
hyperparameters as ``--name value`` arguments, and ``SM_OUTPUT_DATA_DIR``. Whatever it writes to the
model directory becomes ``model.tar.gz``.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.processes import run_group

#: "name=value" or "name: value" lines on stdout/stderr become metrics unless definitions are given
DEFAULT_METRIC_REGEX = re.compile(
    r"^\s*([A-Za-z_][\w:./-]*)\s*[=:]\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$"
)


@dataclass(frozen=True)
class ScriptResult:
    returncode: int
    model_dir: Path
    output_dir: Path
    logs: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    failure_reason: str = ""
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0


@dataclass(frozen=True)
class ContainerLayout:
    """The /opt/ml tree of a training container, rooted in a local work directory."""

    root: Path

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def input_data(self) -> Path:
        return self.root / "input" / "data"

    @property
    def config_dir(self) -> Path:
        return self.root / "input" / "config"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.root / "output" / "data"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    def channel(self, name: str) -> Path:
        return self.input_data / name

    def create(self, channels: Mapping[str, Any]) -> None:
        for path in (self.model_dir, self.config_dir, self.output_data_dir, self.checkpoint_dir):
            path.mkdir(parents=True, exist_ok=True)
        for name in channels:
            self.channel(name).mkdir(parents=True, exist_ok=True)


def contract_env(
    layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: list[str]
) -> dict[str, str]:
    """The SM_* variables a SageMaker training container sets."""
    hps = {k: _hp_string(v) for k, v in hyperparameters.items()}
    env = {
        "SM_MODEL_DIR": str(layout.model_dir),
        "SM_OUTPUT_DIR": str(layout.output_dir),
        "SM_OUTPUT_DATA_DIR": str(layout.output_data_dir),
        "SM_INPUT_DIR": str(layout.root / "input"),
        "SM_INPUT_CONFIG_DIR": str(layout.config_dir),
        "SM_CHECKPOINT_DIR": str(layout.checkpoint_dir),
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(hps),
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_CURRENT_HOST": "algo-1",
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
    }
    for name in channels:
        env[f"SM_CHANNEL_{name.upper()}"] = str(layout.channel(name))
    for name, value in hps.items():
        env[f"SM_HP_{name.upper().replace('-', '_')}"] = value
    return env


def _hp_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


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
) -> ScriptResult:
    """Run ``entry_point`` to completion under the contract; never raises for a failing script."""
    hyperparameters = dict(hyperparameters or {})
    channels = list(channels or [])
    layout.create(channels)
    (layout.config_dir / "hyperparameters.json").write_text(
        json.dumps({k: _hp_string(v) for k, v in hyperparameters.items()})
    )
    script = Path(source_dir, entry_point) if source_dir else Path(entry_point)
    if not script.is_file():
        return ScriptResult(
            returncode=2,
            model_dir=layout.model_dir,
            output_dir=layout.output_dir,
            logs="",
            failure_reason=f"entry point {script} does not exist",
        )
    args = [python, str(script.resolve())]
    for name, value in hyperparameters.items():
        args += [f"--{name}", _hp_string(value)]
    env = {**os.environ, **contract_env(layout, hyperparameters, channels)}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(script.resolve().parent), env.get("PYTHONPATH", "")) if p
    )
    started = time.monotonic()
    done = run_group(args, cwd=script.resolve().parent, env=env, timeout=timeout)
    returncode, logs, stderr = done.returncode, done.stdout + done.stderr, done.stderr
    if done.timed_out:
        stderr = f"training script exceeded its {timeout:.0f} s limit and was stopped"
    seconds = time.monotonic() - started
    failure = ""
    if returncode != 0:
        failure_file = layout.output_dir / "failure"
        failure = (
            failure_file.read_text().strip()
            if failure_file.exists()
            else "\n".join(stderr.strip().splitlines()[-10:]) or f"exit code {returncode}"
        )
    return ScriptResult(
        returncode=returncode,
        model_dir=layout.model_dir,
        output_dir=layout.output_dir,
        logs=logs,
        metrics=parse_metrics(logs, metric_regexes),
        failure_reason=failure,
        seconds=seconds,
    )


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def parse_metrics(logs: str, metric_regexes: Mapping[str, str] | None = None) -> dict[str, float]:
    """Last value of each metric in the logs (SageMaker's MetricDefinitions semantics)."""
    found: dict[str, float] = {}
    if metric_regexes:
        for name, pattern in metric_regexes.items():
            matches = re.findall(pattern, logs, flags=re.MULTILINE)
            if matches:
                last = matches[-1]
                found[name] = float(last[0] if isinstance(last, tuple) else last)
        return found
    for line in logs.splitlines():
        match = DEFAULT_METRIC_REGEX.match(line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def pack_model_dir(model_dir: Path) -> bytes:
    """The model directory as ``model.tar.gz`` bytes (files at the archive root, as SageMaker packs)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(model_dir.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(model_dir)))
    return buffer.getvalue()


def unpack_model(archive: bytes, dest: Path) -> Path:
    """Extract ``model.tar.gz`` bytes into ``dest`` safely (no absolute paths or ``..``)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")
    return dest
