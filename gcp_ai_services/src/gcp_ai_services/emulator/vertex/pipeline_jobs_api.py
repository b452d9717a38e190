"""REST methods of ``pipelineJobs``: create (checks the spec, then runs it), get, list, cancel, delete."""

from __future__ import annotations

import re
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex import gcs_files
from gcp_ai_services.emulator.vertex import job_lifecycle as jobs
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.pipeline_metadata import register_run
from gcp_ai_services.emulator.vertex.pipeline_run import CANCELLED, start_pipeline_job
from gcp_ai_services.emulator.vertex.pipeline_spec import ordered_tasks, pipeline_parameters
from gcp_ai_services.emulator.vertex.resources import new_id
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState

_JOB_ID = re.compile(r"^[a-z][-a-z0-9]{0,127}$")


class PipelineJobsAPI:
    def __init__(self, state: VertexState) -> None:
        self.state = state

    def routes(self, version: str) -> GoogleRoutes:
        return jobs.job_routes(self, version, "pipelineJobs")

    def create(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        job_id = request.args.get("pipelineJobId") or f"pipeline-job-{new_id()}"
        if not _JOB_ID.match(job_id):
            raise GoogleError(
                "INVALID_ARGUMENT", f"Invalid pipeline_job_id {job_id!r}: use [a-z][-a-z0-9]{{0,127}}."
            )
        spec = body.get("pipelineSpec")
        if not isinstance(spec, dict) or not spec:
            raise GoogleError(
                "INVALID_ARGUMENT", "pipeline_job.pipeline_spec is required (a compiled KFP pipeline)."
            )
        runtime = body.get("runtimeConfig") or {}
        root = str(runtime.get("gcsOutputDirectory", ""))
        if not root:
            raise GoogleError(
                "INVALID_ARGUMENT",
                "pipeline_job.runtime_config.gcs_output_directory (the pipeline_root) is required.",
            )
        gcs_files.split_uri(root)
        ordered_tasks(spec)
        pipeline_parameters(spec, runtime.get("parameterValues"))
        record = JobRecord(
            name=f"{parent}/pipelineJobs/{job_id}", body=body, state_prefix="PIPELINE_STATE_", state="PENDING"
        )
        with self.state.lock:
            if record.name in self.state.pipeline_jobs:
                raise GoogleError("ALREADY_EXISTS", f"PipelineJob {record.name} already exists.")
            pipeline = str((spec.get("pipelineInfo") or {}).get("name", "pipeline"))
            record.extra["jobDetail"] = {
                **register_run(self.state, parent, pipeline, job_id),
                "taskDetails": [],
            }
            self.state.pipeline_jobs[record.name] = record
        start_pipeline_job(self.state, record)
        return record.to_json()

    def get(self, request: Any, name: str) -> dict[str, Any]:
        return self._find(name).to_json()

    def list(self, request: Any, parent: str) -> dict[str, Any]:
        return jobs.listed(self.state, self.state.pipeline_jobs, "pipelineJobs", parent, request.args)

    def cancel(self, request: Any, name: str) -> dict[str, Any]:
        record = self._find(name)
        jobs.check_cancellable(record, name)
        JOBS.stop(name)
        record.move("CANCELLED", CANCELLED)
        return {}

    def delete(self, request: Any, name: str) -> dict[str, Any]:
        return jobs.delete(self.state, self.state.pipeline_jobs, self._find(name))

    def _find(self, name: str) -> JobRecord:
        return jobs.find(self.state, self.state.pipeline_jobs, "PipelineJob", name)
