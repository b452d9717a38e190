"""BatchTransformer: SageMaker batch transform jobs over data in S3 with a trained ``model.tar.gz``.

``CreateModel`` + ``CreateTransformJob`` (``S3Prefix`` input, content type, ``SplitType``,
``BatchStrategy``, ``MaxPayloadInMB``, ``AssembleWith``, ``Accept`` and ``DataProcessing`` filters and join,
from :class:`TransformOptions`), then the ``transform_job_completed_or_stopped`` waiter and
``DescribeTransformJob``: SageMaker (locally, the local cloud) runs the job and writes
``<key relative to the prefix>.out`` under the output prefix. What the job did is read back from where
SageMaker leaves it: the ``.out`` objects in S3 and the container's request log in CloudWatch Logs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BatchPredictionJob
from multi_cloud.core.uris import split_uri

from aws_ai_services import states
from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.batch.transform_options import TransformOptions
from aws_ai_services.sagemaker.serving.inference_model import check_artifact, create_inference_model
from aws_ai_services.sagemaker.training_jobs import check_resource_name
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
OUTPUT_SUFFIX = ".out"
LOG_GROUP = "/aws/sagemaker/TransformJobs"
#: DescribeTransformJob polls: every 0.1 s for the first 5 s (local jobs end in well under a second), then
#: every 30 s (AWS's take minutes) for up to 2 days
WAITS = ({"Delay": 0.1, "MaxAttempts": 50}, {"Delay": 30, "MaxAttempts": 5760})


@dataclass(frozen=True)
class SageMakerTransformJob(BatchPredictionJob):
    """A :class:`BatchPredictionJob` with what the transform did: objects written, requests sent."""

    objects: int = 0
    mini_batches: int = 0  # requests to the model container (MultiRecord packs many records in one)


class BatchTransformer:
    """Run batch transform jobs over CSV / JSON Lines data in S3 with a trained ``model.tar.gz``."""

    def __init__(
        self, storage: S3Storage, settings: Settings | None = None, *, provider: str = "aws"
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.provider = provider

    client = ServiceClient("sagemaker")

    logs = ServiceClient("logs")

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
        name = job_name or f"transform-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        check_resource_name("transform job", name)
        check_artifact(self.storage, model_artifact, provider=self.provider, operation="models.batch_predict")
        self.start(model_artifact, input_uri, output_uri, job_name=name, options=options)
        self.wait(name)
        return self.describe(name)

    def start(
        self,
        model_artifact: str,
        input_uri: str,
        output_uri: str,
        *,
        job_name: str,
        options: TransformOptions,
    ) -> None:
        """``CreateModel`` for the artifact, then ``CreateTransformJob``; returns once it is recorded."""
        create_inference_model(self.client, self.storage, self.settings, job_name, model_artifact)
        fields = options.request_fields()
        try:
            with aws_errors("models.batch_predict"):
                self.client.create_transform_job(
                    TransformJobName=job_name,
                    ModelName=job_name,
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
        except Exception:
            with aws_errors("models.batch_predict"):
                self.client.delete_model(ModelName=job_name)  # refused: leave nothing behind
            raise

    def wait(self, job_name: str) -> None:
        """Until the job is Completed, Failed or Stopped (a Failed job is reported by ``describe``)."""
        from botocore.exceptions import WaiterError

        waiter = self.client.get_waiter("transform_job_completed_or_stopped")
        for config in WAITS:
            try:
                waiter.wait(TransformJobName=job_name, WaiterConfig=config)
                return
            except WaiterError as exc:
                if "Max attempts exceeded" not in str(exc):
                    if "Failed" in str(exc):  # a Failed job ends the waiter with an error: describe says why
                        return
                    raise
        raise TimeoutError(f"transform job {job_name} did not end within two days")

    def describe(self, job_name: str) -> SageMakerTransformJob:
        with aws_errors("models.describe_transform_job"):
            description = self.client.describe_transform_job(TransformJobName=job_name)
        output_uri = description["TransformOutput"]["S3OutputPath"]
        completed = description["TransformJobStatus"] == "Completed"
        objects, records = self._outputs(output_uri) if completed else (0, 0)
        return SageMakerTransformJob(
            name=job_name,
            status=description["TransformJobStatus"],
            state=states.job_state(description["TransformJobStatus"]),
            provider=self.provider,
            input_uri=description["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"],
            output_uri=output_uri,
            records=records,
            failure_reason=description.get("FailureReason", ""),
            objects=objects,
            mini_batches=self._requests(job_name) if completed else 0,
        )

    def _outputs(self, output_uri: str) -> tuple[int, int]:
        """``(.out objects, records in them)`` under the output prefix."""
        bucket, prefix = split_uri(output_uri, scheme="s3")
        outputs = [o for o in self.storage.list_objects(bucket, prefix) if o.key.endswith(OUTPUT_SUFFIX)]
        records = sum(len(self.storage.get_object(bucket, o.key).splitlines()) for o in outputs)
        return len(outputs), records

    def _requests(self, job_name: str) -> int:
        """Requests the container served: ``POST /invocations`` lines in the job's log streams."""
        with aws_errors("models.describe_transform_job"):
            try:
                streams = self.logs.describe_log_streams(
                    logGroupName=LOG_GROUP, logStreamNamePrefix=f"{job_name}/"
                )
            except self.logs.exceptions.ResourceNotFoundException:
                return 0
            count = 0
            for stream in streams.get("logStreams", []):
                pages = self.logs.get_paginator("filter_log_events").paginate(
                    logGroupName=LOG_GROUP, logStreamNames=[stream["logStreamName"]]
                )
                count += sum(
                    1 for page in pages for e in page.get("events", []) if "POST /invocations" in e["message"]
                )
        return count
