"""SageMakerTrainer: script-mode training jobs recorded in SageMaker and really run.

``train`` does what the SageMaker Python SDK's ``SKLearn`` estimator does — uploads the code as
``sourcedir.tar.gz``, names it in the ``sagemaker_program`` / ``sagemaker_submit_directory``
hyperparameters (every value JSON-encoded), and calls ``CreateTrainingJob`` with the scikit-learn
image, the S3 input channels, output path, resources and stopping condition — then has the job run:

* cloud mode: SageMaker runs it; we wait with the ``training_job_completed_or_stopped`` waiter.
* local mode: moto records the job but never runs anything (it reports ``Completed`` at once, with a
  canned metric), so :class:`~aws_ai_services.sagemaker.local_training.LocalTrainingRunner` plays
  SageMaker's part from the job's own description: channels from S3, the script run as a local
  process, ``model.tar.gz`` uploaded to ``<S3OutputPath>/<job>/output/``, logs to CloudWatch Logs.
  moto's job cannot be updated (no API for it, and under ``cloudai local up`` it lives in another
  process), so the true outcome is kept in ``<job>/output/cloudai-job-state.json`` beside the
  artifact and ``get_training_job`` merges it over ``DescribeTrainingJob``: a failing script shows
  ``Failed`` with its last error lines, and metrics come from the script's own output.
  A plain ``describe_training_job`` still shows moto's ``Completed``; the fidelity table says so.

Managed spot training (``spot=ManagedSpot(...)``) adds ``EnableManagedSpotTraining``,
``CheckpointConfig`` and ``MaxWaitTimeInSeconds`` to the request; the result reports
``TrainingTimeInSeconds`` and ``BillableTimeInSeconds`` and what spot saved at catalog prices.
  (A ``cloudai.moto_patches`` hook that runs jobs inside moto itself would make that answer honest
  too, and this record unnecessary.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound, Unsupported
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import TrainingSpec
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.sagemaker.hyperparameters import display_hyperparameters, encode_hyperparameters
from aws_ai_services.sagemaker.images import sklearn_image_uri
from aws_ai_services.sagemaker.job_state import STATE_FILENAME, JobState, JobStateStore, job_output_prefix
from aws_ai_services.sagemaker.local_training import LocalTrainingRunner
from aws_ai_services.sagemaker.source_code import pack_source, resolve_entry_point
from aws_ai_services.sagemaker.spot_training import (
    ManagedSpot,
    SpotInterruption,
    SpotSavings,
    aws_seconds,
    spot_discount,
    spot_savings,
)
from aws_ai_services.sagemaker.training_logs import TrainingLogs
from aws_ai_services.sagemaker.training_result import SageMakerTrainingJob
from aws_ai_services.session import ServiceClient
from aws_ai_services.storage.s3 import S3Storage

JOB_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
MAX_NAME_LENGTH = 63
DEFAULT_INSTANCE_TYPE = "ml.m5.large"
SUPPORTED_FRAMEWORKS = ("sklearn",)
#: how often the cloud-mode waiter polls DescribeTrainingJob
CLOUD_POLL_SECONDS = 30


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
        self.states = JobStateStore(storage)
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
        """Create the job, run it to the end and return it (``Completed``, ``Failed`` or ``Stopped``).

        ``metric_definitions`` maps metric names to regexes with one group (SageMaker's
        ``MetricDefinitions``); without them, ``name=value`` lines of the script's output are metrics.
        ``spot`` asks for managed spot training with checkpoints in S3; ``simulate_interruption``
        (local mode only) reclaims the instance mid-run, as AWS may do to any spot job.
        """
        if simulate_interruption is not None and self.settings.mode != "local":
            raise Unsupported(
                "simulate_interruption only works in local mode: in AWS, spot capacity is reclaimed by "
                "AWS itself. Drop the argument (or test interruptions with CLOUDAI_MODE=local).",
                provider=self.provider,
                operation="models.train",
            )
        request = self.training_request(spec, metric_definitions=metric_definitions, spot=spot)
        with aws_errors("models.train"):
            self.client.create_training_job(**request)
        if self.settings.mode == "local":
            self.run_locally(
                spec.name, metric_definitions=metric_definitions, interruption=simulate_interruption
            )
        else:
            self._wait_in_cloud(spec.name, spec.timeout_seconds)
        return self.get_training_job(spec.name)

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
        code_uri = self.storage.uri(self.artifact_bucket, f"{spec.name}/source/sourcedir.tar.gz")
        code_bucket, code_key = split_uri(code_uri, scheme="s3")
        self.storage.put_object(code_bucket, code_key, pack_source(source), content_type="application/x-gzip")
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

    def run_locally(
        self,
        name: str,
        *,
        metric_definitions: Mapping[str, str] | None = None,
        interruption: SpotInterruption | None = None,
    ) -> JobState:
        """Execute a recorded job on this machine (what SageMaker does after ``CreateTrainingJob``)."""
        with aws_errors("models.train"):
            description = self.client.describe_training_job(TrainingJobName=name)
        runner = LocalTrainingRunner(self.storage, self.logs)
        return runner.run(description, metric_regexes=metric_definitions, interruption=interruption)

    def _wait_in_cloud(self, name: str, timeout_seconds: int) -> None:
        from botocore.exceptions import WaiterError

        waiter = self.client.get_waiter("training_job_completed_or_stopped")
        attempts = timeout_seconds // CLOUD_POLL_SECONDS + 60  # plus time to provision the instance
        try:
            waiter.wait(
                TrainingJobName=name, WaiterConfig={"Delay": CLOUD_POLL_SECONDS, "MaxAttempts": attempts}
            )
        except WaiterError:
            pass  # a Failed job ends the waiter with an error; get_training_job reports why

    # ------------------------------------------------------------------ describe
    def get_training_job(self, name: str) -> SageMakerTrainingJob:
        with aws_errors("models.get_training_job"):
            description = self.client.describe_training_job(TrainingJobName=name)
        output = job_output_prefix(description["OutputDataConfig"]["S3OutputPath"], name)
        return self._to_training_job(description, self.states.read(output + STATE_FILENAME))

    def describe_training_job(self, name: str) -> dict[str, Any]:
        """The control plane's raw description (in local mode: moto's, without the job-state merge)."""
        with aws_errors("models.describe_training_job"):
            description: dict[str, Any] = self.client.describe_training_job(TrainingJobName=name)
        return description

    def training_logs(self, name: str) -> str:
        """The job's log lines from CloudWatch Logs (``/aws/sagemaker/TrainingJobs``)."""
        return self.logs.read(name)

    def _to_training_job(
        self, description: Mapping[str, Any], state: JobState | None
    ) -> SageMakerTrainingJob:
        name = description["TrainingJobName"]
        if state is None:  # not run here: the control plane's word is all there is
            status = description["TrainingJobStatus"]
            metrics = {m["MetricName"]: float(m["Value"]) for m in description.get("FinalMetricDataList", [])}
            started, ended = description.get("TrainingStartTime"), description.get("TrainingEndTime")
            failure = description.get("FailureReason", "")
            secondary = str(description.get("SecondaryStatus", ""))
            transitions = tuple(t["Status"] for t in description.get("SecondaryStatusTransitions", []))
            training = description.get("TrainingTimeInSeconds")
            billable = description.get("BillableTimeInSeconds")
            managed_spot = bool(description.get("EnableManagedSpotTraining"))
            exact_seconds = float(training or 0)
        else:
            status, metrics, failure = state.status, dict(state.metrics), state.failure_reason
            started, ended = state.started, state.ended
            secondary, transitions = state.secondary_status, state.transitions
            training = aws_seconds(state.training_seconds) if state.ended else None
            billable = state.billable_seconds if state.ended else None
            managed_spot = state.managed_spot
            exact_seconds = state.training_seconds
        artifact = description.get("ModelArtifacts", {}).get("S3ModelArtifacts") or (
            job_output_prefix(description["OutputDataConfig"]["S3OutputPath"], name) + "model.tar.gz"
        )
        instance_type = description.get("ResourceConfig", {}).get("InstanceType", DEFAULT_INSTANCE_TYPE)
        savings = None
        if managed_spot and training and billable:
            measured = state is not None
            savings = self._spot_savings(instance_type, exact_seconds, training, billable, measured=measured)
        return SageMakerTrainingJob(
            name=name,
            status=status,
            provider=self.provider,
            model_artifact=artifact if status == "Completed" else "",
            metrics=metrics,
            started=started,
            ended=ended,
            failure_reason=failure,
            hyperparameters=display_hyperparameters(description.get("HyperParameters", {})),
            secondary_status=secondary,
            secondary_status_transitions=transitions,
            training_time_seconds=training,
            billable_time_seconds=billable,
            managed_spot=managed_spot,
            checkpoint_s3_uri=description.get("CheckpointConfig", {}).get("S3Uri", ""),
            spot_savings=savings,
        )

    def _spot_savings(
        self, instance_type: str, seconds: float, training: int, billable: int, *, measured: bool
    ) -> SpotSavings:
        """Measured locally: exact seconds at the catalog discount; from AWS: its own billed seconds."""
        discount = spot_discount(instance_type)[0]
        if measured:
            exact_billable = seconds * (1 - discount)
        else:
            seconds, exact_billable = float(training), float(billable)
            discount = 1 - exact_billable / seconds
        region = self.settings.aws.region
        return spot_savings(instance_type, region, seconds, exact_billable, discount=discount)


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
