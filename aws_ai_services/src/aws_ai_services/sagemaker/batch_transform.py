"""BatchTransformer: SageMaker batch transform of CSV objects, one prediction per line in ``<name>.out``.

The job is recorded with ``CreateModel`` + ``CreateTransformJob`` (``S3Prefix`` input, ``text/csv``
split by line, output assembled by line). In cloud mode SageMaker runs it and we wait; in local mode
moto only records it (``Completed`` at once), so the transform is computed here with the real model:
every object under the input prefix is read as CSV and ``<key relative to the prefix>.out`` is
written under the output prefix, as SageMaker names its outputs. The true outcome is kept as a job-state
record in ``s3://<artifact bucket>/<job>/transform/`` and ``describe`` merges it, like training.
"""

from __future__ import annotations

import csv
import io
import uuid
from functools import cached_property
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BatchPredictionJob
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.inference_model import create_inference_model
from aws_ai_services.sagemaker.job_state import STATE_FILENAME, JobState, JobStateStore, utc_now
from aws_ai_services.sagemaker.model_cache import MODEL_CACHE, LoadedModel, ModelCache
from aws_ai_services.sagemaker.training_jobs import check_resource_name
from aws_ai_services.session import aws_client
from aws_ai_services.storage.s3 import S3Storage

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
OUTPUT_SUFFIX = ".out"


class TransformError(Exception):
    """The input could not be transformed; SageMaker reports these as ``ClientError``."""


class BatchTransformer:
    """Run batch transform jobs over CSV data in S3 with a trained ``model.tar.gz``."""

    def __init__(
        self,
        storage: S3Storage,
        settings: Settings | None = None,
        *,
        provider: str = "aws",
        cache: ModelCache = MODEL_CACHE,
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.provider = provider
        self.cache = cache
        self.states = JobStateStore(storage)

    @cached_property
    def client(self) -> Any:
        return aws_client("sagemaker", self.settings)

    def transform(
        self, model_artifact: str, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        """Predict every CSV row under ``input_uri``; one prediction per line under ``output_uri``."""
        name = job_name or f"transform-{utc_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        check_resource_name("transform job", name)
        split_uri(input_uri, scheme="s3")
        split_uri(output_uri, scheme="s3")
        loaded = self.cache.load(self.storage, model_artifact)  # NotFound before anything is recorded
        create_inference_model(self.client, self.storage, self.settings, name, model_artifact)
        with aws_errors("models.batch_predict"):
            self.client.create_transform_job(
                TransformJobName=name,
                ModelName=name,
                TransformInput={
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                    "ContentType": "text/csv",
                    "SplitType": "Line",
                },
                TransformOutput={"S3OutputPath": output_uri, "Accept": "text/csv", "AssembleWith": "Line"},
                TransformResources={"InstanceType": DEFAULT_INSTANCE_TYPE, "InstanceCount": 1},
            )
        if self.settings.mode == "local":
            self._run_locally(name, loaded, input_uri, output_uri)
        else:
            self._wait_in_cloud(name)
        return self.describe(name)

    def describe(self, job_name: str) -> BatchPredictionJob:
        with aws_errors("models.describe_transform_job"):
            description = self.client.describe_transform_job(TransformJobName=job_name)
        state = self.states.read(self._state_uri(job_name))
        output_uri = description["TransformOutput"]["S3OutputPath"]
        if state is None:
            status, failure = description["TransformJobStatus"], description.get("FailureReason", "")
            records = self._count_output_lines(output_uri)
        else:
            status, failure = state.status, state.failure_reason
            records = int(state.metrics.get("records", 0))
        return BatchPredictionJob(
            name=job_name,
            status=status,
            provider=self.provider,
            input_uri=description["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
            output_uri=output_uri,
            records=records,
            failure_reason=failure,
        )

    def _state_uri(self, job_name: str) -> str:
        return self.storage.uri(self.settings.aws.artifact_bucket, f"{job_name}/transform/{STATE_FILENAME}")

    def _run_locally(self, name: str, loaded: LoadedModel, input_uri: str, output_uri: str) -> JobState:
        state = JobState(status="InProgress", secondary_status="Transforming", started=utc_now())
        self.states.write(self._state_uri(name), state)
        try:
            records = self._transform_objects(loaded, input_uri, output_uri)
        except (TransformError, CloudError) as exc:
            final = state.finish("Failed", "Failed", failure_reason=f"ClientError: {exc}")
        else:
            final = state.finish("Completed", "Completed", metrics={"records": float(records)})
        self.states.write(self._state_uri(name), final)
        return final

    def _transform_objects(self, loaded: LoadedModel, input_uri: str, output_uri: str) -> int:
        in_bucket, in_prefix = split_uri(input_uri, scheme="s3")
        out_bucket, out_prefix = split_uri(output_uri, scheme="s3")
        out_prefix = out_prefix if not out_prefix or out_prefix.endswith("/") else out_prefix + "/"
        base = in_prefix[: in_prefix.rfind("/") + 1]
        inputs = [o.key for o in self.storage.list_objects(in_bucket, in_prefix) if not o.key.endswith("/")]
        if not inputs:
            raise TransformError(f"no S3 objects found under {input_uri}")
        records = 0
        for key in inputs:
            rows = _csv_rows(self.storage.get_object(in_bucket, key), key)
            try:
                values, _ = loaded.predict(rows)
            except InvalidArgument as exc:
                raise TransformError(f"{key}: {exc.message}") from exc
            body = "".join(f"{value}\n" for value in values).encode()
            out_key = out_prefix + key[len(base) :] + OUTPUT_SUFFIX
            self.storage.put_object(out_bucket, out_key, body, content_type="text/csv")
            records += len(values)
        return records

    def _wait_in_cloud(self, name: str) -> None:
        from botocore.exceptions import WaiterError

        try:
            self.client.get_waiter("transform_job_completed_or_stopped").wait(
                TransformJobName=name, WaiterConfig={"Delay": 30, "MaxAttempts": 240}
            )
        except WaiterError:
            pass  # a Failed job ends the waiter with an error; describe reports why

    def _count_output_lines(self, output_uri: str) -> int:
        bucket, prefix = split_uri(output_uri, scheme="s3")
        outputs = [o for o in self.storage.list_objects(bucket, prefix) if o.key.endswith(OUTPUT_SUFFIX)]
        return sum(len(self.storage.get_object(bucket, o.key).splitlines()) for o in outputs)


def _csv_rows(data: bytes, key: str) -> list[list[float]]:
    rows: list[list[float]] = []
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
    for line_number, fields in enumerate(reader, start=1):
        if not fields or all(not f.strip() for f in fields):
            continue
        try:
            rows.append([float(f) for f in fields])
        except ValueError as exc:
            raise TransformError(f"{key} line {line_number} is not numeric CSV: {exc}") from exc
    if not rows:
        raise TransformError(f"{key} has no rows")
    return rows
