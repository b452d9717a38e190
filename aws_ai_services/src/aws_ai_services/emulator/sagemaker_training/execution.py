"""One training job's local run: stage the container, run the script under the contract, report to moto.

The run follows SageMaker's lifecycle: ``Starting`` → ``Downloading`` (channels and code from S3) →
``Training`` (the script as a process group, metrics parsed with the request's ``MetricDefinitions``) →
``Uploading`` (``model.tar.gz`` and ``output.tar.gz`` under ``<S3OutputPath>/<job>/output/``) → ``Completed``;
or ``Failed`` (``FailureReason`` = the script's last error lines or ``/opt/ml/output/failure``), ``Stopped``
(``StopTrainingJob``, ``MaxRuntimeInSeconds``, spot capacity that did not come back). Logs go to CloudWatch
Logs, ``/aws/sagemaker/TrainingJobs``, stream ``<job>/algo-1-<epoch>``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.archives import pack_model_dir
from multi_cloud.emulation.jobs.contracts import SAGEMAKER
from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.script_mode import ScriptResult, run_script
from multi_cloud.emulation.jobs.store import BackgroundJob

from aws_ai_services.emulator.moto_state import MotoLogs, MotoS3, S3Missing
from aws_ai_services.emulator.sagemaker_training.checkpoints import CheckpointSync, changed_since, snapshot
from aws_ai_services.emulator.sagemaker_training.record import TrainingRecord, aws_seconds
from aws_ai_services.emulator.sagemaker_training.spot import (
    Interruption,
    billable_seconds,
    interruption_from_tags,
)
from aws_ai_services.emulator.sagemaker_training.staging import (
    Program,
    StagingError,
    resolve_program,
    stage_channels,
)

log = logging.getLogger(__name__)
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
DEFAULT_MAX_RUNTIME = 86400
#: SIGTERM grace before SIGKILL when a job is stopped (SageMaker waits up to 120 s; locally short)
STOP_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    status: str
    secondary: str
    metrics: Mapping[str, float]
    failure_reason: str = ""


class TrainingExecution:
    """Runs one recorded job to its end; every result lands in moto (S3, Logs, the job itself)."""

    def __init__(self, record: TrainingRecord, account_id: str, region: str, control: BackgroundJob) -> None:
        self.record = record
        self.job = record.job
        self.s3 = MotoS3(account_id)
        self.logs = MotoLogs(account_id, region)
        self.control = control
        self.log_lines: list[str] = []

    @property
    def output_prefix(self) -> str:
        return f"{self.job.output_data_config['S3OutputPath'].rstrip('/')}/{self.record.name}/output/"

    def run(self) -> None:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"sagemaker-{self.record.name}-") as work:
            layout = ContainerLayout(Path(work))
            layout.create([])
            try:
                self.record.move("Downloading")
                channels = stage_channels(self.s3, self._description(), layout, str(self.job.role_arn))
                program = resolve_program(self.s3, self._description(), layout)
                outcome = self._train(layout, channels, program)
            except StagingError as exc:
                outcome = Outcome("Failed", "Failed", {}, exc.reason)
            except S3Missing as exc:
                outcome = Outcome("Failed", "Failed", {}, f"ClientError: {exc}")
            except Exception as exc:  # noqa: BLE001 - a job always ends; SageMaker says InternalServerError
                log.exception("training job %s: the local cloud failed", self.record.name)
                outcome = Outcome(
                    "Failed", "Failed", {}, f"InternalServerError: the local cloud failed: {exc!r}"
                )
        if self.control.cancelled.is_set():
            return  # the local cloud was reset: this job no longer exists
        seconds = time.monotonic() - started
        spot = bool(self.job.enable_managed_spot_training)
        instance = str(self.job.resource_config.get("InstanceType", "ml.m5.large"))
        billed = billable_seconds(aws_seconds(seconds), spot=spot, instance_type=instance)
        self._write_logs(outcome)
        self.record.finish(
            outcome.status,
            outcome.secondary,
            seconds=seconds,
            billable_seconds=billed,
            metrics=outcome.metrics,
            failure_reason=outcome.failure_reason,
        )

    def _description(self) -> dict[str, Any]:
        return {
            "InputDataConfig": self.job.input_data_config,
            "HyperParameters": self.job.hyper_parameters or {},
        }

    def _train(self, layout: ContainerLayout, channels: list[str], program: Program) -> Outcome:
        """Attempts until the script ends: an interruption either restarts it or ends the job."""
        checkpoint_uri = (self.job.checkpoint_config or {}).get("S3Uri", "")
        sync = CheckpointSync(self.s3, checkpoint_uri, layout.checkpoint_dir) if checkpoint_uri else None
        interruption = (
            interruption_from_tags(self.job.tags) if self.job.enable_managed_spot_training else None
        )
        stopping = self.job.stopping_condition or {}
        runtime_left = float(stopping.get("MaxRuntimeInSeconds", DEFAULT_MAX_RUNTIME))
        while True:
            if sync:
                restored = sync.download()
                self.log_lines.append(f"[checkpoints] restored {len(restored)} file(s) from {checkpoint_uri}")
            self.record.move("Training")
            result = self._attempt(layout, channels, program, runtime_left, interruption)
            runtime_left -= result.seconds
            if sync:
                uploaded = sync.upload()
                self.log_lines.append(f"[checkpoints] uploaded {len(uploaded)} file(s) to {checkpoint_uri}")
            self.log_lines += result.logs.splitlines()
            reclaimed = result.stopped and not self.control.stop_requested.is_set()
            if not reclaimed or interruption is None:
                return self._finish(result, layout)
            self.record.move("Interrupted")
            if not interruption.comes_back:
                reason = (
                    "MaxWaitTimeExceeded: the spot instance was reclaimed and capacity did not come back "
                    f"within MaxWaitTimeInSeconds ({stopping.get('MaxWaitTimeInSeconds', 0)} s); "
                    f"checkpoints are in {checkpoint_uri or '(no CheckpointConfig)'}"
                )
                return Outcome("Stopped", "MaxWaitTimeExceeded", result.metrics, reason)
            self.record.move("Restarting")
            interruption = None  # one interruption per job
            for directory in (layout.model_dir, layout.output_dir, layout.checkpoint_dir):
                shutil.rmtree(directory, ignore_errors=True)  # a new instance: only channels and code survive
            layout.create(channels)

    def _attempt(
        self,
        layout: ContainerLayout,
        channels: list[str],
        program: Program,
        runtime_left: float,
        interruption: Interruption | None,
    ) -> ScriptResult:
        stop = self.control.stop_requested
        should_stop = stop.is_set
        if interruption is not None:
            layout.checkpoint_dir.mkdir(parents=True, exist_ok=True)
            before = snapshot(layout.checkpoint_dir)
            wanted = interruption.after_checkpoints

            def should_stop() -> bool:
                return stop.is_set() or len(changed_since(layout.checkpoint_dir, before)) >= wanted

        regexes = {
            d["Name"]: d["Regex"] for d in self.job.algorithm_specification.get("MetricDefinitions") or []
        }
        entry = program.entry_point or layout.channel("code")  # a command runs in the code channel
        return run_script(
            entry,
            layout,
            hyperparameters=program.hyperparameters,
            channels=channels,
            metric_regexes=regexes,
            timeout=max(runtime_left, 0.1),
            contract=SAGEMAKER,
            should_stop=should_stop,
            grace_seconds=interruption.grace_seconds if interruption else STOP_GRACE_SECONDS,
            base_env={**os.environ, "TRAINING_JOB_NAME": self.record.name, **program.extra_env},
            command=program.command or None,
        )

    def _finish(self, result: ScriptResult, layout: ContainerLayout) -> Outcome:
        if result.succeeded or result.stopped or result.timed_out:
            self.record.move("Uploading")
            problem = self._upload_artifacts(layout)
            if problem:
                return Outcome("Failed", "Failed", result.metrics, f"ClientError: {problem}")
        if result.succeeded:
            return Outcome("Completed", "Completed", result.metrics)
        if result.stopped:
            return Outcome("Stopped", "Stopped", result.metrics)
        if result.timed_out:
            reason = f"MaxRuntimeExceeded: {result.failure_reason}"
            return Outcome("Stopped", "MaxRuntimeExceeded", result.metrics, reason)
        return Outcome("Failed", "Failed", result.metrics, f"AlgorithmError: {result.failure_reason}")

    def _upload_artifacts(self, layout: ContainerLayout) -> str:
        """Upload the model (and output data); the problem, if S3OutputPath cannot take them."""
        try:
            self.s3.put(self.output_prefix + "model.tar.gz", pack_model_dir(layout.model_dir))
            if any(p.is_file() for p in layout.output_data_dir.rglob("*")):
                self.s3.put(self.output_prefix + "output.tar.gz", pack_model_dir(layout.output_data_dir))
        except S3Missing as exc:
            return f"could not upload the model artifacts to {self.output_prefix}: {exc}"
        return ""

    def _write_logs(self, outcome: Outcome) -> None:
        stream = f"{self.record.name}/algo-1-{int(time.time())}"
        lines = self.log_lines or ["(the job printed nothing)"]
        if outcome.failure_reason:
            lines = [*lines, outcome.failure_reason]
        self.logs.write(LOG_GROUP, stream, lines)
