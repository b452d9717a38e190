"""Runs a SageMaker-style script-mode entry point inside another cloud's training job (shipped with the code).

Script-mode code expects ``SM_CHANNEL_<NAME>`` folders of inputs, ``SM_MODEL_DIR``, ``SM_OUTPUT_DATA_DIR``
and its hyperparameters as arguments. :func:`main` fetches each ``--cloudai-channel NAME=URI`` into a local
folder (the provider's ``fetch``: a local path, as Azure ML mounts inputs, is used where it is), runs
``--cloudai-entry-point`` from the ``cloudai_source`` folder beside this file with the remaining arguments,
then writes ``cloudai_metrics.json`` (every ``name=number`` line the script printed) into the model folder
and hands the folder to the provider's ``publish`` step with ``--cloudai-model-dir`` (Vertex: its
``AIP_MODEL_DIR`` on Cloud Storage; Azure ML: the job's ``${{outputs.model}}`` folder). Standard library
only: this runs in the training container. Run directly, it publishes by copying to a local folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

METRIC_LINE = re.compile(r"^\s*([A-Za-z][\w:./-]*)\s*[=:]\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$")
METRICS_FILE = "cloudai_metrics.json"
Fetch = Callable[[str, Path], Path]
Publish = Callable[[Path, str], None]


def local_fetch(uri: str, target: Path) -> Path:
    """A channel that is already a local folder (a mounted input)."""
    path = Path(uri)
    if not path.exists():
        raise SystemExit(f"channel {uri!r} is not a local folder and this launcher has no fetch for it")
    return path


def local_publish(model_dir: Path, destination: str) -> None:
    """Copy the model folder to a local ``destination`` (a mounted output)."""
    if not destination:
        raise SystemExit("--cloudai-model-dir is not set: where should the model folder go?")
    shutil.copytree(model_dir, destination, dirs_exist_ok=True)


def main(
    argv: Sequence[str] | None = None, *, fetch: Fetch = local_fetch, publish: Publish = local_publish
) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cloudai-entry-point", required=True)
    parser.add_argument("--cloudai-channel", action="append", default=[], help="NAME=URI")
    parser.add_argument("--cloudai-model-dir", default="", help="where publish puts the model folder")
    known, hyperparameters = parser.parse_known_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cloudai-job-"))
    env = dict(os.environ)
    channels = []
    for item in known.cloudai_channel:
        name, _, uri = item.partition("=")
        env[f"SM_CHANNEL_{name.upper()}"] = str(fetch(uri, work / "input" / name))
        channels.append(name)
    model_dir, output_dir = work / "model", work / "output"
    model_dir.mkdir()
    output_dir.mkdir()
    env.update(
        SM_MODEL_DIR=str(model_dir), SM_OUTPUT_DATA_DIR=str(output_dir), SM_CHANNELS=json.dumps(channels)
    )
    source = Path(__file__).resolve().parent / "cloudai_source"
    process = subprocess.Popen(
        [sys.executable, str(source / known.cloudai_entry_point), *hyperparameters],
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    metrics: dict[str, float] = {}
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(line)
        match = METRIC_LINE.match(line)
        if match:
            metrics[match.group(1)] = float(match.group(2))
    if process.wait() != 0:
        return process.returncode
    (model_dir / METRICS_FILE).write_text(json.dumps(metrics))
    publish(model_dir, known.cloudai_model_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
