"""Runs a SageMaker-style script-mode entry point inside a Vertex AI custom job (shipped in its package).

Vertex gives a job ``AIP_MODEL_DIR`` and its arguments; script-mode code expects ``SM_CHANNEL_<NAME>``
folders of input files and ``SM_MODEL_DIR``. This launcher downloads each ``--channel NAME=gs://...`` prefix
to a local folder, runs ``--entry-point`` from the package's ``cloudai_source`` with the remaining arguments
(the hyperparameters), then copies the model folder to ``AIP_MODEL_DIR`` (Cloud Storage or a local folder)
with ``cloudai_metrics.json``: every ``name=number`` line the script printed. Standard library and
google-cloud-storage only: this runs in the training container.
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
from pathlib import Path
from typing import Any

METRIC_LINE = re.compile(r"^\s*([A-Za-z][\w:./-]*)\s*[=:]\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$")
METRICS_FILE = "cloudai_metrics.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cloudai-entry-point", required=True)
    parser.add_argument("--cloudai-channel", action="append", default=[], help="NAME=URI")
    known, hyperparameters = parser.parse_known_args()
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
        SM_MODEL_DIR=str(model_dir),
        SM_OUTPUT_DATA_DIR=str(output_dir),
        SM_CHANNELS=json.dumps(channels),
    )
    source = Path(__file__).resolve().parent / "cloudai_source"
    script = source / known.cloudai_entry_point
    process = subprocess.Popen(
        [sys.executable, str(script), *hyperparameters],
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
    publish(model_dir, os.environ.get("AIP_MODEL_DIR", ""))
    return 0


def fetch(uri: str, target: Path) -> Path:
    """A ``gs://bucket/prefix`` downloaded into ``target``; a local folder is used where it is."""
    if not uri.startswith("gs://"):
        return Path(uri)
    bucket_name, _, prefix = uri[len("gs://") :].partition("/")
    bucket = _storage().bucket(bucket_name)
    target.mkdir(parents=True, exist_ok=True)
    for blob in bucket.list_blobs(prefix=prefix):
        if blob.name.endswith("/"):
            continue
        local = target / blob.name[len(prefix) :].lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        blob.download_to_filename(str(local))
    return target


def publish(model_dir: Path, destination: str) -> None:
    """Copy the model folder to ``AIP_MODEL_DIR``: uploaded when it is ``gs://``, copied when local."""
    if not destination:
        raise SystemExit("AIP_MODEL_DIR is not set: run this package as a Vertex AI custom job")
    if not destination.startswith("gs://"):
        shutil.copytree(model_dir, destination, dirs_exist_ok=True)
        return
    bucket_name, _, prefix = destination[len("gs://") :].partition("/")
    bucket = _storage().bucket(bucket_name)
    for path in sorted(model_dir.rglob("*")):
        if path.is_file():
            name = f"{prefix.rstrip('/')}/{path.relative_to(model_dir).as_posix()}".lstrip("/")
            bucket.blob(name).upload_from_filename(str(path))


def _storage() -> Any:
    from google.cloud import storage

    return storage.Client(project=os.environ.get("CLOUD_ML_PROJECT_ID") or None)


if __name__ == "__main__":
    sys.exit(main())
