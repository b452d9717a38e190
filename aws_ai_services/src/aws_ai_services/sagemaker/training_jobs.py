"""SageMakerTrainer: script-mode training jobs through the SageMaker API, run by the service.

``train`` does what the SageMaker Python SDK's ``SKLearn`` estimator does — uploads the code as
``sourcedir.tar.gz``, names it in the ``sagemaker_program`` / ``sagemaker_submit_directory``
hyperparameters (every value JSON-encoded), and calls ``CreateTrainingJob`` with the scikit-learn
image, the S3 input channels, output path, resources and stopping condition — then waits for the job to
end and describes it. SageMaker runs the job (in the local cloud, its server side does: the same request
from plain boto3 runs the same way); this class only builds requests and reads answers.

Managed spot training (``spot=ManagedSpot(...)``) adds ``EnableManagedSpotTraining``,
``CheckpointConfig`` and ``MaxWaitTimeInSeconds``; the result reports ``TrainingTimeInSeconds``,
``BillableTimeInSeconds`` and what spot saved at catalog prices. ``simulate_interruption`` tags the job
so that the local cloud reclaims its instance (AWS ignores the tag: it reclaims capacity on its own).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import TrainingSpec
from multi_cloud.core.uris import split_uri

from aws_ai_services import states
from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.images import sklearn_image_uri
from aws_ai_services.sagemaker.training.hyperparameters import display_hyperparameters, encode_hyperparameters
from aws_ai_services.sagemaker.training.source_code import pack_source, resolve_entry_point
from aws_ai_services.sagemaker.training.spot_training import (
    ManagedSpot,
    SpotInterruption,
    SpotSavings,
    spot_savings,
)
from aws_ai_services.sagemaker.training.training_logs import TrainingLogs, metrics_in_logs
from aws_ai_services.sagemaker.training.training_result import SageMakerTrainingJob
from aws_ai_services.sagemaker.waiting import wait_until_done
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
MAX_NAME_LENGTH = 63
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
SUPPORTED_FRAMEWORKS = ("sklearn",)
#: time to provision an instance and download the image, on top of MaxRuntimeInSeconds, when waiting
PROVISIONING_SECONDS = 900


def check_resource_name(kind: str, name: str) -> None:
    """SageMaker's naming rule for jobs, models and endpoints."""
    if len(name) > MAX_NAME_LENGTH or not JOB_NAME.match(name):
        raise InvalidArgument(
            f"{kind} name {name!r} is not valid in SageMaker: use 1-63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )


class SageMakerTrainer:
    """Create, run and describe SageMaker script-mode training jobs (scikit-learn framework)."""

    def __init__(
        self, storage: S3Storage, settings: Settings | None = None, *, provider: str = "aws"
    ) -> None:
        self.storage = storage
        self.settings = settings or get_settings()
        self.provider = provider
        self.logs = TrainingLogs(self.settings)

    client = ServiceClient("sagemaker")

    @property
    def artifact_bucket(self) -> str:
        return self.settings.aws.artifact_bucket

    # ------------------------------------------------------------------ train
    def train(
        self,
        spec: TrainingSpec,
        *,
        metric_definitions: Mapping[str, str] | None = None,
        spot: ManagedSpot | None = None,
        simulate_interruption: SpotInterruption | None = None,
    ) -> SageMakerTrainingJob:
        """Create the job, wait for its end and return it (``Completed``, ``Failed`` or ``Stopped``).

        ``metric_definitions`` maps metric names to regexes with one group (SageMaker's
        ``MetricDefinitions``); without them, ``name=value`` lines of the job's CloudWatch logs are the
        metrics. ``spot`` asks for managed spot training with checkpoints in S3; ``simulate_interruption``
        asks the local cloud to reclaim the instance mid-run (a tag AWS ignores).
        """
        request = self.training_request(spec, metric_definitions=metric_definitions, spot=spot)
        if simulate_interruption is not None:
            request["Tags"] = [simulate_interruption.tag()]
        with aws_errors("models.train"):
            self.client.create_training_job(**request)
        self.wait(spec.name, timeout_seconds=spec.timeout_seconds + PROVISIONING_SECONDS)
        return self.get_training_job(spec.name)

    def wait(self, name: str, *, timeout_seconds: float) -> dict[str, Any]:
        """Poll ``DescribeTrainingJob`` (with backoff) until the job is no longer in progress."""
        return dict(
            wait_until_done(
                lambda: self.describe_training_job(name),
                "TrainingJobStatus",
                ("InProgress", "Stopping"),
                timeout=timeout_seconds,
                what=f"training job {name}",
            )
        )

    def training_request(
        self,
        spec: TrainingSpec,
        *,
        metric_definitions: Mapping[str, str] | None = None,
        spot: ManagedSpot | None = None,
    ) -> dict[str, Any]:
        """Stage code and inputs in S3 and build the ``CreateTrainingJob`` request for ``spec``."""
        check_resource_name("training job", spec.name)
        if spec.framework not in SUPPORTED_FRAMEWORKS:
            raise InvalidArgument(
                f"framework {spec.framework!r} is not available here; "
                f"supported: {', '.join(SUPPORTED_FRAMEWORKS)}"
            )
        source, program = resolve_entry_point(spec.entry_point, spec.source_dir)
        self._refuse_existing_job(spec.name)
        self.storage.ensure_bucket(self.artifact_bucket)
        output_path = spec.output_uri or self.storage.uri(self.artifact_bucket)
        self.storage.ensure_bucket(split_uri(output_path, scheme="s3")[0])
        archive = pack_source(source)
        code_uri = self.storage.uri(self.artifact_bucket, f"{spec.name}/source/sourcedir.tar.gz")
        code_bucket, code_key = split_uri(code_uri, scheme="s3")
        self.storage.put_object(code_bucket, code_key, archive, content_type="application/x-gzip")
        hyperparameters = {
            **spec.hyperparameters,
            "sagemaker_program": program,
            "sagemaker_submit_directory": code_uri,
            "sagemaker_region": self.settings.aws.region,
            "sagemaker_container_log_level": 20,
        }
        algorithm: dict[str, Any] = {
            "TrainingImage": sklearn_image_uri(self.settings.aws.region),
            "TrainingInputMode": "File",
        }
        if metric_definitions:
            algorithm["MetricDefinitions"] = [{"Name": n, "Regex": r} for n, r in metric_definitions.items()]
        stopping: dict[str, int] = {"MaxRuntimeInSeconds": int(spec.timeout_seconds)}
        spot_fields = spot.request_fields(int(spec.timeout_seconds)) if spot else {}
        if spot:  # as the SDK does for its default bucket: the job writes checkpoints there
            self.storage.ensure_bucket(split_uri(spot.checkpoint_s3_uri, scheme="s3")[0])
        if spot_fields.get("EnableManagedSpotTraining"):
            stopping["MaxWaitTimeInSeconds"] = int(spot.max_wait_seconds) if spot else 0
        return {
            **spot_fields,
            "TrainingJobName": spec.name,
            "AlgorithmSpecification": algorithm,
            "RoleArn": self.settings.aws.sagemaker_role_arn,
            "InputDataConfig": [
                _s3_channel(name, self._stage_input(spec.name, name, location))
                for name, location in spec.inputs.items()
            ],
            "OutputDataConfig": {"S3OutputPath": output_path},
            "ResourceConfig": {
                "InstanceType": spec.instance_type
                if spec.instance_type.startswith("ml.")
                else DEFAULT_INSTANCE_TYPE,
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": stopping,
            "HyperParameters": encode_hyperparameters(hyperparameters),
        }

    def _refuse_existing_job(self, name: str) -> None:
        """SageMaker job names are unique per account and region (moto would silently overwrite)."""
        try:
            self.describe_training_job(name)
        except NotFound:
            return
        raise AlreadyExists(
            f"training job {name!r} already exists; job names are never reused in SageMaker. "
            "Choose a new name (e.g. add a timestamp).",
            provider=self.provider,
            operation="models.train",
        )

    def _stage_input(self, job: str, channel: str, location: str) -> str:
        """An ``s3://`` channel as is; a local file or directory is uploaded under the job's prefix."""
        scheme = urlsplit(location).scheme
        if scheme == "s3":
            return location
        if scheme not in ("", "file"):
            raise InvalidArgument(
                f"channel {channel!r}: {location!r} is neither an s3:// URI nor a local path"
            )
        path = Path(location.removeprefix("file://"))
        if not path.exists():
            raise InvalidArgument(f"channel {channel!r}: local input {path} does not exist")
        prefix = self.storage.uri(self.artifact_bucket, f"{job}/input/{channel}/")
        self.storage.upload_prefix(path, prefix)
        return prefix

    # ------------------------------------------------------------------ describe
    def get_training_job(self, name: str) -> SageMakerTrainingJob:
        return self._to_training_job(self.describe_training_job(name))

    def describe_training_job(self, name: str) -> dict[str, Any]:
        """SageMaker's own ``DescribeTrainingJob`` answer."""
        with aws_errors("models.describe_training_job"):
            description: dict[str, Any] = self.client.describe_training_job(TrainingJobName=name)
        return description

    def training_logs(self, name: str) -> str:
        """The job's log lines from CloudWatch Logs (``/aws/sagemaker/TrainingJobs``)."""
        return self.logs.read(name)

    def _to_training_job(self, description: Mapping[str, Any]) -> SageMakerTrainingJob:
        name = description["TrainingJobName"]
        status = description["TrainingJobStatus"]
        metrics = {m["MetricName"]: float(m["Value"]) for m in description.get("FinalMetricDataList", [])}
        declared = description.get("AlgorithmSpecification", {}).get("MetricDefinitions")
        if not declared and status != "InProgress":
            metrics = self._metrics_from_logs(name)
        training = description.get("TrainingTimeInSeconds")
        billable = description.get("BillableTimeInSeconds")
        managed_spot = bool(description.get("EnableManagedSpotTraining"))
        instance_type = description.get("ResourceConfig", {}).get("InstanceType", DEFAULT_INSTANCE_TYPE)
        savings = None
        if managed_spot and training and billable:
            savings = self._spot_savings(instance_type, int(training), int(billable))
        artifact = description.get("ModelArtifacts", {}).get("S3ModelArtifacts", "")
        return SageMakerTrainingJob(
            name=name,
            status=status,
            state=states.job_state(status),
            provider=self.provider,
            model_artifact=artifact if status == "Completed" else "",
            metrics=metrics,
            started=description.get("TrainingStartTime"),
            ended=description.get("TrainingEndTime"),
            failure_reason=description.get("FailureReason", ""),
            hyperparameters=display_hyperparameters(description.get("HyperParameters", {})),
            secondary_status=str(description.get("SecondaryStatus", "")),
            secondary_status_transitions=tuple(
                t["Status"] for t in description.get("SecondaryStatusTransitions", [])
            ),
            training_time_seconds=training,
            billable_time_seconds=billable,
            managed_spot=managed_spot,
            checkpoint_s3_uri=description.get("CheckpointConfig", {}).get("S3Uri", ""),
            spot_savings=savings,
        )

    def _metrics_from_logs(self, name: str) -> dict[str, float]:
        """``name=value`` lines of the job's logs (a job without MetricDefinitions reports no metrics)."""
        try:
            return metrics_in_logs(self.training_logs(name))
        except NotFound:  # no log group yet: the job printed nothing
            return {}

    def _spot_savings(self, instance_type: str, training: int, billable: int) -> SpotSavings:
        """Priced from the job's own billed seconds: AWS's saving is ``1 - billable / training``."""
        discount = 1 - billable / training
        return spot_savings(instance_type, self.settings.aws.region, training, billable, discount=discount)


def _s3_channel(name: str, uri: str) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": uri,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "InputMode": "File",
    }
