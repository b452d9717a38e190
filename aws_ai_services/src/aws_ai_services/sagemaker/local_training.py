"""Play SageMaker's part for a recorded training job: run its container contract on this machine.

Everything comes from the job's ``DescribeTrainingJob`` answer and S3, as in a real training
container: each ``InputDataConfig`` channel is downloaded to ``/opt/ml/input/data/<channel>``, the
``sagemaker_submit_directory`` code to ``/opt/ml/code``, the script runs with the decoded
hyperparameters under ``MaxRuntimeInSeconds``, and ``/opt/ml/model`` becomes
``<S3OutputPath>/<job>/output/model.tar.gz``. The outcome is written as a :class:`JobState` record and
the logs to CloudWatch Logs. The work directory is removed and no process outlives the call.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.script_mode import (
    ContainerLayout,
    ScriptResult,
    pack_model_dir,
    run_script,
    unpack_model,
)

from aws_ai_services.sagemaker.hyperparameters import decode_value, user_hyperparameters
from aws_ai_services.sagemaker.job_state import (
    STATE_FILENAME,
    JobState,
    JobStateStore,
    job_output_prefix,
    utc_now,
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
        self, description: Mapping[str, Any], *, metric_regexes: Mapping[str, str] | None = None
    ) -> JobState:
        name = description["TrainingJobName"]
        output = job_output_prefix(description["OutputDataConfig"]["S3OutputPath"], name)
        state = JobState(status="InProgress", secondary_status="Starting", started=utc_now())
        self.states.write(output + STATE_FILENAME, state)
        max_runtime = float(description.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 86400))
        logs = ""
        with tempfile.TemporaryDirectory(prefix=f"sagemaker-{name}-") as work:
            layout = ContainerLayout(Path(work))
            try:
                channels = self._download_channels(description, layout)
                program, code_dir = self._download_code(description, layout)
            except (ChannelError, CloudError) as exc:
                final = state.finish("Failed", "Failed", failure_reason=f"ClientError: {exc}")
            else:
                result = run_script(
                    program,
                    layout,
                    source_dir=code_dir,
                    hyperparameters=user_hyperparameters(description.get("HyperParameters", {})),
                    channels=channels,
                    metric_regexes=metric_regexes,
                    timeout=max_runtime,
                )
                logs = result.logs
                final = self._finish(state, result, output, max_runtime)
        self.states.write(output + STATE_FILENAME, final)
        self.logs.write(name, logs or final.failure_reason)
        return final

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

    def _finish(self, state: JobState, result: ScriptResult, output: str, max_runtime: float) -> JobState:
        if result.succeeded:
            self._upload_tar(result.model_dir, output + "model.tar.gz")
            if any(p.is_file() for p in result.output_dir.joinpath("data").rglob("*")):
                self._upload_tar(result.output_dir / "data", output + "output.tar.gz")
            return state.finish("Completed", "Completed", metrics=result.metrics)
        if result.seconds >= max_runtime:
            reason = f"MaxRuntimeExceeded: {result.failure_reason}"
            return state.finish(
                "Stopped", "MaxRuntimeExceeded", metrics=result.metrics, failure_reason=reason
            )
        reason = f"AlgorithmError: {result.failure_reason}"
        return state.finish("Failed", "Failed", metrics=result.metrics, failure_reason=reason)

    def _upload_tar(self, directory: Path, uri: str) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self.storage.put_object(bucket, key, pack_model_dir(directory), content_type="application/x-gzip")
