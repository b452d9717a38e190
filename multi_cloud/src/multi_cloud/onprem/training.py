"""Script-mode training jobs: stage channels, run under the SageMaker contract, store model.tar.gz."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import AlreadyExists, CloudError, InvalidArgument, NotFound
from multi_cloud.core.types import JobState, TrainingJob, TrainingSpec
from multi_cloud.emulation.jobs.script_mode import ContainerLayout, pack_model_dir, run_script
from multi_cloud.onprem.locations import ObjectLocations
from multi_cloud.onprem.records import JsonStore, check_name, parse_datetimes, to_record

CHANNEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
DEFAULT_ARTIFACTS_BUCKET = "onprem-artifacts"


class ScriptTrainer:
    """Runs each job as a local process and keeps its record (and logs) under ``root``."""

    def __init__(
        self,
        provider: str,
        root: Path,
        locations: ObjectLocations,
        *,
        artifacts_bucket: str = DEFAULT_ARTIFACTS_BUCKET,
    ) -> None:
        self.provider = provider
        self.root = root
        self.locations = locations
        self.artifacts_bucket = artifacts_bucket
        self.jobs = JsonStore(root / "jobs")

    # ------------------------------------------------------------------ records
    def get(self, name: str) -> TrainingJob:
        record = self.jobs.load(name)
        if record is None:
            known = ", ".join(self.jobs.names()[-5:]) or "none yet"
            raise NotFound(
                f"no training job named {name!r} (recent jobs: {known}); check the name or train it first",
                provider=self.provider,
                operation="models.get_training_job",
            )
        return TrainingJob(**parse_datetimes(record, ["started", "ended"]))

    def list(self) -> list[TrainingJob]:
        return [self.get(name) for name in self.jobs.names()]

    def logs(self, name: str) -> str:
        self.get(name)
        path = self.jobs.directory / f"{name}.log"
        return path.read_text() if path.is_file() else ""

    # ------------------------------------------------------------------ running
    def default_output_uri(self) -> str:
        return self.locations.storage.uri(self.artifacts_bucket, "")

    def train(self, spec: TrainingSpec) -> TrainingJob:
        check_name("training job", spec.name)
        self._check_locations(spec)
        started = datetime.now(timezone.utc)
        job = TrainingJob(
            name=spec.name,
            status="InProgress",
            state=JobState.RUNNING,
            provider=self.provider,
            started=started,
            hyperparameters={
                k: v if isinstance(v, str) else json.dumps(v) for k, v in spec.hyperparameters.items()
            },
        )
        if not self.jobs.create(spec.name, to_record(job)):
            raise AlreadyExists(
                f"a training job named {spec.name!r} already exists; job names are unique, choose another",
                provider=self.provider,
                operation="models.train",
            )
        work = self.root / "work" / spec.name
        try:
            job = self._run(spec, job, ContainerLayout(work))
        except Exception as exc:  # never leave a job InProgress: record the failure, then raise it
            failed = _finish(
                job, status="Failed", state=JobState.FAILED, failure_reason=f"{type(exc).__name__}: {exc}"
            )
            self.jobs.save(spec.name, to_record(failed))
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.jobs.save(spec.name, to_record(job))
        return job

    def _check_locations(self, spec: TrainingSpec) -> None:
        for channel, uri in spec.inputs.items():
            if not CHANNEL_PATTERN.match(channel):
                raise InvalidArgument(
                    f"channel name {channel!r} is not valid; use letters, digits, '-' or '_' (e.g. 'train')"
                )
            if self.locations.local_path(uri) is None:
                self.locations.split(uri)
        if spec.output_uri and self.locations.local_path(spec.output_uri) is None:
            self.locations.split(spec.output_uri)

    def _run(self, spec: TrainingSpec, job: TrainingJob, layout: ContainerLayout) -> TrainingJob:
        staging_error = self._stage_channels(spec, layout)
        if staging_error:
            return _finish(job, status="Failed", state=JobState.FAILED, failure_reason=staging_error)
        result = run_script(
            spec.entry_point,
            layout,
            source_dir=spec.source_dir,
            hyperparameters=spec.hyperparameters,
            channels=list(spec.inputs),
            timeout=spec.timeout_seconds,
        )
        (self.jobs.directory / f"{spec.name}.log").write_text(result.logs)
        if not result.succeeded:
            return _finish(
                job,
                status="Failed",
                state=JobState.FAILED,
                failure_reason=result.failure_reason,
                metrics=result.metrics,
            )
        output = spec.output_uri or self.default_output_uri()
        artifact_uri = self.locations.child(output, f"{spec.name}/output/model.tar.gz")
        try:
            stored = self.locations.write(
                artifact_uri, pack_model_dir(result.model_dir), content_type="application/gzip"
            )
        except CloudError as exc:
            return _finish(
                job,
                status="Failed",
                state=JobState.FAILED,
                failure_reason=f"could not store the model artifact: {exc}",
            )
        return _finish(
            job, status="Completed", state=JobState.SUCCEEDED, model_artifact=stored, metrics=result.metrics
        )

    def _stage_channels(self, spec: TrainingSpec, layout: ContainerLayout) -> str:
        """Copy every channel's data into the container layout; a failure reason, or ''."""
        layout.create(spec.inputs)
        for channel, uri in spec.inputs.items():
            try:
                files = self.locations.download(uri, layout.channel(channel))
            except CloudError as exc:
                return f"ClientError: could not read channel {channel!r} from {uri}: {exc.message}"
            if not files:
                return (
                    f"ClientError: no objects found under {uri} for channel {channel!r}; "
                    "upload the training data there first"
                )
        return ""


def _finish(job: TrainingJob, **changes: Any) -> TrainingJob:
    fields = to_record(job) | {"ended": datetime.now(timezone.utc), **changes}
    return TrainingJob(**parse_datetimes(fields, ["started"]))
