"""Play SageMaker's part for a recorded training job: run its container contract on this machine.

Everything comes from the job's ``DescribeTrainingJob`` answer and S3, as in a real training
container: each ``InputDataConfig`` channel is downloaded to ``/opt/ml/input/data/<channel>``, the
``sagemaker_submit_directory`` code to ``/opt/ml/code``, the script runs with the decoded
hyperparameters under ``MaxRuntimeInSeconds``, and ``/opt/ml/model`` becomes
``<S3OutputPath>/<job>/output/model.tar.gz``. With a ``CheckpointConfig`` the checkpoint directory
(``SM_CHECKPOINT_DIR``) is filled from ``CheckpointConfig.S3Uri`` before each attempt and synced back
after it, interrupted or not; a simulated spot interruption stops the script mid-run (see
:class:`~aws_ai_services.sagemaker.spot_training.SpotInterruption`). The outcome — with training and
billable seconds — is written as a :class:`JobState` record and the logs to CloudWatch Logs. The work
directory is removed and no process outlives the call.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.jobs.script_mode import (
    ContainerLayout,
    ScriptResult,
    pack_model_dir,
    run_script,
    unpack_model,
)

from aws_ai_services.sagemaker.checkpoint_sync import CheckpointSync, changed_since, snapshot
from aws_ai_services.sagemaker.hyperparameters import decode_value, user_hyperparameters
from aws_ai_services.sagemaker.interruptible_script import Attempt, run_interruptible
from aws_ai_services.sagemaker.job_state import (
    STATE_FILENAME,
    JobState,
    JobStateStore,
    job_output_prefix,
    utc_now,
)
from aws_ai_services.sagemaker.spot_training import (
    SpotInterruption,
    aws_seconds,
    billable_seconds,
    spot_discount,
)
from aws_ai_services.sagemaker.training_logs import TrainingLogs
from aws_ai_services.storage.s3 import S3Storage


class ChannelError(Exception):
    """Input data or code could not be staged; SageMaker reports these as ``ClientError``."""


class LocalTrainingRunner:
    """Executes described training jobs locally and records what happened."""

    def __init__(self, storage: S3Storage, logs: TrainingLogs) -> None:
        self.storage = storage
        self.states = JobStateStore(storage)
        self.logs = logs

    def run(
        self,
        description: Mapping[str, Any],
        *,
        metric_regexes: Mapping[str, str] | None = None,
        interruption: SpotInterruption | None = None,
    ) -> JobState:
        name = description["TrainingJobName"]
        output = job_output_prefix(description["OutputDataConfig"]["S3OutputPath"], name)
        spot = bool(description.get("EnableManagedSpotTraining"))
        state = JobState(
            status="InProgress", secondary_status="Starting", started=utc_now(), managed_spot=spot
        ).moved_to("Starting")
        self.states.write(output + STATE_FILENAME, state)
        started = time.monotonic()
        logs = ""
        with tempfile.TemporaryDirectory(prefix=f"sagemaker-{name}-") as work:
            layout = ContainerLayout(Path(work))
            try:
                state = state.moved_to("Downloading")
                channels = self._download_channels(description, layout)
                program, code_dir = self._download_code(description, layout)
            except (ChannelError, CloudError) as exc:
                final = state.finish("Failed", "Failed", failure_reason=f"ClientError: {exc}")
            else:
                job = _Job(description, layout, program, code_dir, channels, metric_regexes)
                final, logs = self._train(job, state, interruption)
        seconds = time.monotonic() - started
        discount = spot_discount(description["ResourceConfig"]["InstanceType"])[0]
        billable = billable_seconds(aws_seconds(seconds), spot=spot, discount=discount)
        final = replace(final, training_seconds=seconds, billable_seconds=billable)
        self.states.write(output + STATE_FILENAME, final)
        self.logs.write(name, logs or final.failure_reason)
        return final

    def _train(
        self, job: _Job, state: JobState, interruption: SpotInterruption | None
    ) -> tuple[JobState, str]:
        """Attempts until the script ends: an interruption either restarts it or stops the job."""
        checkpoint_uri = job.description.get("CheckpointConfig", {}).get("S3Uri", "")
        sync = None
        if checkpoint_uri:
            sync = CheckpointSync(self.storage, checkpoint_uri, job.layout.checkpoint_dir)
        stopping = job.description.get("StoppingCondition", {})
        runtime_left = float(stopping.get("MaxRuntimeInSeconds", 86400))
        logs: list[str] = []
        while True:
            if sync:
                restored = sync.download()
                logs.append(f"[checkpoints] restored {len(restored)} file(s) from {checkpoint_uri}")
            state = state.moved_to("Training")
            attempt = self._attempt(job, runtime_left, interruption)
            runtime_left -= attempt.result.seconds
            if sync:
                uploaded = sync.upload()
                logs.append(f"[checkpoints] uploaded {len(uploaded)} file(s) to {checkpoint_uri}")
            logs.append(attempt.result.logs)
            if not attempt.interrupted or interruption is None:
                return self._finish(state, job, attempt.result, runtime_left), "\n".join(logs)
            state = state.moved_to("Interrupted")
            if not interruption.comes_back:
                reason = (
                    "MaxWaitTimeExceeded: the spot instance was reclaimed and capacity did not come back "
                    f"within MaxWaitTimeInSeconds ({stopping.get('MaxWaitTimeInSeconds', 0)} s); "
                    f"checkpoints are in {checkpoint_uri or '(no CheckpointConfig)'}"
                )
                final = state.finish(
                    "Stopped", "MaxWaitTimeExceeded", metrics=attempt.result.metrics, failure_reason=reason
                )
                return final, "\n".join(logs)
            state = state.moved_to("Restarting")
            interruption = None  # one simulated interruption per job
            _reset_container(job.layout)

    def _attempt(self, job: _Job, timeout: float, interruption: SpotInterruption | None) -> Attempt:
        hyperparameters = user_hyperparameters(job.description.get("HyperParameters", {}))
        if interruption is None:
            result = run_script(
                job.program,
                job.layout,
                source_dir=job.code_dir,
                hyperparameters=hyperparameters,
                channels=job.channels,
                metric_regexes=job.metric_regexes,
                timeout=max(timeout, 0.1),
            )
            return Attempt(result=result, interrupted=False)
        checkpoints = job.layout.checkpoint_dir
        checkpoints.mkdir(parents=True, exist_ok=True)
        before = snapshot(checkpoints)
        wanted = interruption.after_checkpoints
        return run_interruptible(
            job.program,
            job.layout,
            source_dir=job.code_dir,
            hyperparameters=hyperparameters,
            channels=job.channels,
            should_interrupt=lambda: len(changed_since(checkpoints, before)) >= wanted,
            metric_regexes=job.metric_regexes,
            timeout=max(timeout, 0.1),
            grace_seconds=interruption.grace_seconds,
        )

    def _download_channels(self, description: Mapping[str, Any], layout: ContainerLayout) -> list[str]:
        channels: list[str] = []
        for channel in description.get("InputDataConfig", []):
            name = channel["ChannelName"]
            uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
            layout.channel(name).mkdir(parents=True, exist_ok=True)
            if not self.storage.download_prefix(uri, layout.channel(name)):
                raise ChannelError(f"no S3 objects found under {uri} (channel {name!r})")
            channels.append(name)
        return channels

    def _download_code(self, description: Mapping[str, Any], layout: ContainerLayout) -> tuple[str, Path]:
        hyperparameters = description.get("HyperParameters", {})
        program = decode_value(hyperparameters.get("sagemaker_program", '""'))
        submit_dir = decode_value(hyperparameters.get("sagemaker_submit_directory", '""'))
        if not program or not submit_dir:
            raise ChannelError("the job names no sagemaker_program / sagemaker_submit_directory to run")
        code_dir = layout.root / "code"
        bucket, key = split_uri(submit_dir, scheme="s3")
        unpack_model(self.storage.get_object(bucket, key), code_dir)  # a sourcedir.tar.gz
        return str(program), code_dir

    def _finish(self, state: JobState, job: _Job, result: ScriptResult, runtime_left: float) -> JobState:
        output = job_output_prefix(job.description["OutputDataConfig"]["S3OutputPath"], job.name)
        if result.succeeded:
            state = state.moved_to("Uploading")
            self._upload_tar(result.model_dir, output + "model.tar.gz")
            if any(p.is_file() for p in result.output_dir.joinpath("data").rglob("*")):
                self._upload_tar(result.output_dir / "data", output + "output.tar.gz")
            return state.finish("Completed", "Completed", metrics=result.metrics)
        if runtime_left <= 0:
            reason = f"MaxRuntimeExceeded: {result.failure_reason}"
            return state.finish(
                "Stopped", "MaxRuntimeExceeded", metrics=result.metrics, failure_reason=reason
            )
        reason = f"AlgorithmError: {result.failure_reason}"
        return state.finish("Failed", "Failed", metrics=result.metrics, failure_reason=reason)

    def _upload_tar(self, directory: Path, uri: str) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self.storage.put_object(bucket, key, pack_model_dir(directory), content_type="application/x-gzip")


@dataclass(frozen=True)
class _Job:
    """What one local run needs besides its state: the description and the staged container."""

    description: Mapping[str, Any]
    layout: ContainerLayout
    program: str
    code_dir: Path
    channels: list[str]
    metric_regexes: Mapping[str, str] | None

    @property
    def name(self) -> str:
        return str(self.description["TrainingJobName"])


def _reset_container(layout: ContainerLayout) -> None:
    """A restarted spot job gets a fresh instance: only the channels and code survive."""
    for directory in (layout.model_dir, layout.output_dir, layout.checkpoint_dir):
        shutil.rmtree(directory, ignore_errors=True)
