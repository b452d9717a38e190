"""BatchTransformer: SageMaker batch transform jobs, computed record by record with the trained model.

The job is recorded with ``CreateModel`` + ``CreateTransformJob`` (``S3Prefix`` input, content type,
``SplitType``, ``BatchStrategy``, ``MaxPayloadInMB``, ``AssembleWith``, ``Accept`` and ``DataProcessing``
filters and join, from :class:`TransformOptions`). In cloud mode SageMaker runs it and we wait; in local
mode moto only records it (``Completed`` at once), so the transform is computed here from the recorded
job: every object under the input prefix goes through :func:`transform_object` and
``<key relative to the prefix>.out`` is written under the output prefix, as SageMaker names its outputs.
A content type the container cannot read fails the job with SageMaker's ``ClientError`` (HTTP 415), and
so does a bad record. The true outcome is kept as a job-state record in
``s3://<artifact bucket>/<job>/transform/`` and ``describe`` merges it, like training.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BatchPredictionJob
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.inference_model import create_inference_model
from aws_ai_services.sagemaker.job_state import STATE_FILENAME, JobState, JobStateStore, utc_now
from aws_ai_services.sagemaker.model_cache import MODEL_CACHE, LoadedModel, ModelCache
from aws_ai_services.sagemaker.payloads import BadPayload, Rows, UnsupportedMediaType
from aws_ai_services.sagemaker.training_jobs import check_resource_name
from aws_ai_services.sagemaker.transform_options import TransformOptions
from aws_ai_services.sagemaker.transform_records import RecordError, transform_object
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
OUTPUT_SUFFIX = ".out"


class TransformError(Exception):
    """The input could not be transformed; SageMaker reports these as ``ClientError``."""


@dataclass(frozen=True)
class SageMakerTransformJob(BatchPredictionJob):
    """A :class:`BatchPredictionJob` with what the transform did: objects read, requests sent."""

    objects: int = 0
    mini_batches: int = 0  # requests to the model container (MultiRecord packs many records in one)


class BatchTransformer:
    """Run batch transform jobs over CSV / JSON Lines data in S3 with a trained ``model.tar.gz``."""

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

    client = ServiceClient("sagemaker")

    def transform(
        self,
        model_artifact: str,
        input_uri: str,
        output_uri: str,
        *,
        job_name: str = "",
        options: TransformOptions | None = None,
    ) -> SageMakerTransformJob:
        """Predict every record under ``input_uri``; one ``<key>.out`` per input object at ``output_uri``."""
        options = options or TransformOptions()
        name = job_name or f"transform-{utc_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        check_resource_name("transform job", name)
        split_uri(input_uri, scheme="s3")
        split_uri(output_uri, scheme="s3")
        options.validate()
        if self.settings.mode == "local":
            options.check_local()
        loaded = self.cache.load(self.storage, model_artifact)  # NotFound before anything is recorded
        create_inference_model(self.client, self.storage, self.settings, name, model_artifact)
        fields = options.request_fields()
        with aws_errors("models.batch_predict"):
            self.client.create_transform_job(
                TransformJobName=name,
                ModelName=name,
                BatchStrategy=fields["BatchStrategy"],
                MaxPayloadInMB=fields["MaxPayloadInMB"],
                TransformInput={
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                    **fields["TransformInput"],
                },
                TransformOutput={"S3OutputPath": output_uri, **fields["TransformOutput"]},
                DataProcessing=fields["DataProcessing"],
                TransformResources={"InstanceType": DEFAULT_INSTANCE_TYPE, "InstanceCount": 1},
            )
        if self.settings.mode == "local":
            self._run_locally(name, loaded)
        else:
            self._wait_in_cloud(name)
        return self.describe(name)

    def describe(self, job_name: str) -> SageMakerTransformJob:
        with aws_errors("models.describe_transform_job"):
            description = self.client.describe_transform_job(TransformJobName=job_name)
        state = self.states.read(self._state_uri(job_name))
        output_uri = description["TransformOutput"]["S3OutputPath"]
        objects = batches = 0
        if state is None:
            status, failure = description["TransformJobStatus"], description.get("FailureReason", "")
            records = self._count_output_lines(output_uri)
        else:
            status, failure = state.status, state.failure_reason
            records = int(state.metrics.get("records", 0))
            objects, batches = int(state.metrics.get("objects", 0)), int(state.metrics.get("mini_batches", 0))
        return SageMakerTransformJob(
            name=job_name,
            status=status,
            provider=self.provider,
            input_uri=description["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
            output_uri=output_uri,
            records=records,
            failure_reason=failure,
            objects=objects,
            mini_batches=batches,
        )

    def _state_uri(self, job_name: str) -> str:
        return self.storage.uri(self.settings.aws.artifact_bucket, f"{job_name}/transform/{STATE_FILENAME}")

    def _run_locally(self, name: str, loaded: LoadedModel) -> JobState:
        """Play SageMaker's part: transform from what ``DescribeTransformJob`` says was asked for."""
        state = JobState(status="InProgress", secondary_status="Transforming", started=utc_now())
        self.states.write(self._state_uri(name), state)
        with aws_errors("models.batch_predict"):
            description = self.client.describe_transform_job(TransformJobName=name)
        try:
            counts = self._transform_objects(loaded, description)
        except (TransformError, CloudError) as exc:
            final = state.finish("Failed", "Failed", failure_reason=f"ClientError: {exc}")
        else:
            final = state.finish("Completed", "Completed", metrics=counts)
        self.states.write(self._state_uri(name), final)
        return final

    def _transform_objects(self, loaded: LoadedModel, description: dict[str, Any]) -> dict[str, float]:
        options = TransformOptions.from_description(description)
        input_uri = description["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"]
        output_uri = description["TransformOutput"]["S3OutputPath"]
        in_bucket, in_prefix = split_uri(input_uri, scheme="s3")
        out_bucket, out_prefix = split_uri(output_uri, scheme="s3")
        out_prefix = out_prefix if not out_prefix or out_prefix.endswith("/") else out_prefix + "/"
        base = in_prefix[: in_prefix.rfind("/") + 1]
        inputs = [o.key for o in self.storage.list_objects(in_bucket, in_prefix) if not o.key.endswith("/")]
        if not inputs:
            raise TransformError(f"no S3 objects found under {input_uri}")
        counts = {"records": 0.0, "objects": 0.0, "mini_batches": 0.0}
        for key in inputs:
            try:
                done = transform_object(self.storage.get_object(in_bucket, key), options, _predictor(loaded))
            except UnsupportedMediaType as exc:
                raise TransformError(str(exc)) from exc
            except RecordError as exc:
                raise TransformError(f"{key} {exc}") from exc  # "<key> line 3 is not numeric CSV: ..."
            except (BadPayload, InvalidArgument) as exc:
                raise TransformError(f"{key}: {getattr(exc, 'message', exc)}") from exc
            out_key = out_prefix + key[len(base) :] + OUTPUT_SUFFIX
            self.storage.put_object(out_bucket, out_key, done.body, content_type=options.output_type)
            counts["records"] += done.records
            counts["objects"] += 1
            counts["mini_batches"] += done.requests
        return counts

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


def _predictor(loaded: LoadedModel) -> Any:
    def predict(rows: Rows) -> tuple[Any, ...]:
        values, _ = loaded.predict(rows)
        return values

    return predict
