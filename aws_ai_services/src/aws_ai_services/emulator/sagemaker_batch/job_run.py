"""One batch transform job, run as SageMaker runs it: every input object through the model, ``.out`` back.

Every object under the input ``S3Prefix`` is split, mini-batched, filtered and joined by
:func:`~.records.transform_object`; ``<key relative to the prefix>.out`` is written under
``S3OutputPath``. The container's request log goes to CloudWatch Logs (``/aws/sagemaker/TransformJobs``,
stream ``<job>/<instance>``): one ``POST /invocations`` line per mini-batch, as the serving container logs.
A problem with the data or the model is a :class:`TransformFailure`, SageMaker's ``ClientError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.serving.model_cache import MODEL_CACHE, LoadedModel
from multi_cloud.emulation.serving.payloads import BadPayload, Rows, UnsupportedMediaType

from aws_ai_services.emulator.moto_state import MotoLogs, MotoS3, S3Missing
from aws_ai_services.emulator.sagemaker_batch.options import COMPUTED_SPLIT_TYPES, JobOptions
from aws_ai_services.emulator.sagemaker_batch.records import RecordError, transform_object

OUTPUT_SUFFIX = ".out"
LOG_GROUP = "/aws/sagemaker/TransformJobs"
INSTANCE = "i-0local0transform"


class TransformFailure(Exception):
    """The job cannot finish; the message becomes ``FailureReason`` after ``ClientError: ``."""


class TransformStopped(Exception):
    """``StopTransformJob`` arrived; the objects written so far stay."""


@dataclass(frozen=True)
class TransformCounts:
    objects: int
    records: int
    mini_batches: int


@dataclass(frozen=True)
class TransformJob:
    """What the job needs from its record: where, how, and which model."""

    name: str
    account_id: str
    region: str
    input_uri: str
    output_uri: str
    artifact: str
    options: JobOptions


def run(job: TransformJob, should_stop: Callable[[], bool] = lambda: False) -> TransformCounts:
    """Transform every input object; TransformFailure with SageMaker-like reasons, TransformStopped when
    ``should_stop()`` turns true (checked before each object and once more at the end)."""
    if job.options.split_type not in COMPUTED_SPLIT_TYPES:
        raise TransformFailure(
            f"SplitType {job.options.split_type} (binary record framing) is not computed by the local "
            "cloud; use Line or None with CSV / JSON Lines input"
        )
    s3 = MotoS3(job.account_id)
    loaded = _model(s3, job.artifact)
    try:
        keys = s3.list(job.input_uri)
    except S3Missing as exc:
        raise TransformFailure(f"cannot read the input {job.input_uri}: {exc}") from exc
    if not keys:
        raise TransformFailure(f"no S3 objects found under {job.input_uri}")
    in_bucket, in_prefix = split_uri(job.input_uri, scheme="s3")
    out_bucket, out_prefix = split_uri(job.output_uri, scheme="s3")
    out_prefix = out_prefix if not out_prefix or out_prefix.endswith("/") else out_prefix + "/"
    base = in_prefix[: in_prefix.rfind("/") + 1]
    records = batches = 0
    log: list[str] = []
    for key in keys:
        if should_stop():
            raise TransformStopped(job.name)
        done = _transform(key, s3.get(f"s3://{in_bucket}/{key}"), job.options, _predictor(loaded))
        try:
            s3.put(f"s3://{out_bucket}/{out_prefix}{key[len(base) :]}{OUTPUT_SUFFIX}", done.body)
        except S3Missing as exc:
            raise TransformFailure(f"cannot write the output to {job.output_uri}: {exc}") from exc
        records += done.records
        batches += done.requests
        log += [f'"POST /invocations HTTP/1.1" 200 ({key})'] * done.requests
    if should_stop():  # a stop accepted during the last object: SageMaker ends an accepted stop Stopped
        raise TransformStopped(job.name)
    MotoLogs(job.account_id, job.region).write(LOG_GROUP, f"{job.name}/{INSTANCE}", log)
    return TransformCounts(objects=len(keys), records=records, mini_batches=batches)


def _model(s3: MotoS3, artifact: str) -> LoadedModel:
    try:
        version = s3.etag(artifact)
        return MODEL_CACHE.load(artifact, version, lambda: s3.get(artifact))
    except S3Missing as exc:
        raise TransformFailure(f"Could not find model data at {artifact} ({exc})") from exc
    except CloudError as exc:
        raise TransformFailure(f"the model at {artifact} could not be loaded: {exc.message}") from exc


def _transform(key: str, data: bytes, options: JobOptions, predict: Callable[[Rows], Sequence[Any]]) -> Any:
    try:
        return transform_object(data, options, predict)
    except UnsupportedMediaType as exc:
        raise TransformFailure(str(exc)) from exc
    except RecordError as exc:
        raise TransformFailure(f"{key} {exc}") from exc  # "<key> line 3 is not numeric CSV: ..."
    except (BadPayload, CloudError) as exc:
        raise TransformFailure(f"{key}: {getattr(exc, 'message', exc)}") from exc


def _predictor(loaded: LoadedModel) -> Callable[[Rows], Sequence[Any]]:
    def predict(rows: Rows) -> Sequence[Any]:
        values, _ = loaded.predict(rows)
        return values

    return predict
