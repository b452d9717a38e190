"""Vertex AI's side of the shared script-mode launcher (shipped in the training package beside it).

:mod:`multi_cloud.core.script_mode.launcher` (shipped as ``cloudai_script_mode``) runs the SageMaker-style
entry point; this module gives it Vertex's two steps: each ``--cloudai-channel NAME=gs://...`` prefix is
downloaded from Cloud Storage, and the model folder (with ``cloudai_metrics.json``) is published to
``AIP_MODEL_DIR`` (Cloud Storage, or a local folder). Standard library and google-cloud-storage only: this
runs in the training container.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from cloudai_script_mode import main as run_script_mode


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
    destination = destination or os.environ.get("AIP_MODEL_DIR", "")
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
    sys.exit(run_script_mode(fetch=fetch, publish=publish))
