"""Run a Batch training job's command on this machine under SageMaker's script-mode contract.

What the training container would do, as a local process (``multi_cloud.emulation.jobs.script_mode``): the
objects under ``TRAIN_DATA_S3_URI`` are staged into the train channel, the job's resolved command
(``python <script> --name value ...``) runs with the SM_* environment, and the model directory is packed as
``model.tar.gz`` and uploaded to ``MODEL_OUTPUT_S3_URI/<job id>/model.tar.gz``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from multi_cloud.core.errors import InvalidArgument, NotFound, Unsupported
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.jobs.script_mode import ContainerLayout, pack_model_dir, run_script

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import aws_client

if TYPE_CHECKING:  # pragma: no cover
    from aws_ai_services.containers.batch_training import BatchJob

CHANNEL = "train"


@dataclass(frozen=True)
class LocalJobRun:
    """The outcome of a job's command run locally: exit code, metrics from its logs, the uploaded model."""

    job_id: str
    succeeded: bool
    returncode: int
    metrics: Mapping[str, float] = field(default_factory=dict)
    model_uri: str = ""
    failure_reason: str = ""
    seconds: float = 0.0
    logs: str = ""


def split_command(command: Sequence[str]) -> tuple[str, dict[str, str]]:
    """``["python", "/opt/ml/code/train.py", "--a", "1"]`` -> ``("train.py", {"a": "1"})``."""
    if len(command) < 2 or PurePosixPath(command[0]).name not in ("python", "python3"):
        raise Unsupported(
            f"only commands of the form 'python SCRIPT --name value ...' can run locally, got {list(command)}"
        )
    script, args = PurePosixPath(command[1]).name, list(command[2:])
    unresolved = [arg for arg in args if arg.startswith("Ref::")]
    if unresolved:
        raise InvalidArgument(
            f"parameters {unresolved} have no value: give them defaults or pass them at submit"
        )
    if len(args) % 2 or any(not name.startswith("--") for name in args[::2]):
        raise InvalidArgument(f"expected '--name value' pairs after the script, got {args}")
    return script, {name[2:]: value for name, value in zip(args[::2], args[1::2], strict=True)}


def stage_training_data(uri: str, channel_dir: Path) -> list[str]:
    """Download every object under ``uri`` (a prefix or one key) into ``channel_dir``; returns the keys."""
    bucket, prefix = split_uri(uri, scheme="s3")
    s3 = aws_client("s3")
    keys: list[str] = []
    with aws_errors("batch.stage_training_data"):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [entry["Key"] for entry in page.get("Contents", []) if not entry["Key"].endswith("/")]
        for key in keys:
            relative = PurePosixPath(key[len(prefix) :].lstrip("/") or PurePosixPath(key).name)
            if ".." in relative.parts:
                raise InvalidArgument(f"refusing to stage {key!r}: '..' would leave the channel directory")
            target = channel_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(target))
    if not keys:
        raise NotFound(
            f"no training data under {uri}: upload it first",
            provider="aws",
            operation="batch.stage_training_data",
        )
    return keys


def run_job_locally(
    job: BatchJob, source_dir: str | Path, *, work_dir: str | Path | None = None, timeout: float = 3600.0
) -> LocalJobRun:
    """Run ``job``'s command with the script from ``source_dir`` (what the image holds in /opt/ml/code)."""
    script, hyperparameters = split_command(job.command)
    train_uri, output_uri = (
        job.environment.get("TRAIN_DATA_S3_URI"),
        job.environment.get("MODEL_OUTPUT_S3_URI"),
    )
    if not train_uri or not output_uri:
        raise InvalidArgument(
            f"job {job.job_id} lacks TRAIN_DATA_S3_URI / MODEL_OUTPUT_S3_URI in its environment; register "
            "the definition with BatchTraining.register_training_job"
        )
    root = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix=f"batch-{job.job_id[:8]}-"))
    layout = ContainerLayout(root / job.job_id)
    layout.create([CHANNEL])
    stage_training_data(train_uri, layout.channel(CHANNEL))
    result = run_script(
        script,
        layout,
        source_dir=source_dir,
        hyperparameters=hyperparameters,
        channels=[CHANNEL],
        timeout=timeout,
    )
    model_uri = ""
    if result.succeeded:
        bucket, prefix = split_uri(output_uri.rstrip("/") + "/", scheme="s3")
        key = f"{prefix}{job.job_id}/model.tar.gz"
        with aws_errors("batch.upload_model"):
            aws_client("s3").put_object(Bucket=bucket, Key=key, Body=pack_model_dir(layout.model_dir))
        model_uri = f"s3://{bucket}/{key}"
    return LocalJobRun(
        job_id=job.job_id,
        succeeded=result.succeeded,
        returncode=result.returncode,
        metrics=dict(result.metrics),
        model_uri=model_uri,
        failure_reason=result.failure_reason,
        seconds=result.seconds,
        logs=result.logs,
    )
