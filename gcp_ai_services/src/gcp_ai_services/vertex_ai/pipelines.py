"""VertexPipelines: compile a KFP pipeline function, run it on Vertex AI Pipelines, read each task's outputs.

Components are lightweight Python components (``@dsl.component``); outputs are read from the job's task
details as Vertex records them: parameters in ``execution.metadata["output:<name>"]``, artifacts by URI.
``service_account`` is passed to ``PipelineJob.submit``; without one the SDK asks Resource Manager for the
project number (over gRPC) to name the default compute service account.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import vertex_sdk

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class TaskResult:
    name: str
    state: str
    parameters: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class PipelineRun:
    name: str
    state: str
    tasks: dict[str, TaskResult]
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.state == "SUCCEEDED"


class VertexPipelines:
    """Vertex AI Pipelines through ``kfp`` and ``google.cloud.aiplatform`` (both imported on first use)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    @staticmethod
    def compile(pipeline: Callable[..., Any], path: str | Path) -> str:
        """Write ``pipeline`` (a ``@dsl.pipeline`` function) as the KFP YAML Vertex runs; its path."""
        from kfp import compiler

        compiler.Compiler().compile(pipeline, str(path))
        return str(path)

    def run(
        self,
        display_name: str,
        template_path: str,
        pipeline_root: str,
        *,
        parameter_values: Mapping[str, Any] | None = None,
        service_account: str = "",
        wait: bool = True,
        poll_seconds: float = 2.0,
    ) -> PipelineRun:
        """Submit the compiled pipeline; with ``wait``, block until it ends (a failed run is returned)."""
        aiplatform = vertex_sdk(self.settings)
        with google_errors("vertex.run_pipeline"):
            job = aiplatform.PipelineJob(
                display_name=display_name,
                template_path=template_path,
                pipeline_root=pipeline_root,
                parameter_values=dict(parameter_values or {}),
                enable_caching=False,
            )
            job.submit(service_account=service_account or None)
        name = str(job.resource_name)
        if not wait:
            return self.describe(name)
        while (run := self.describe(name)).state not in TERMINAL:
            time.sleep(poll_seconds)
        return run

    def describe(self, name: str) -> PipelineRun:
        """The job's state and every task's outputs."""
        aiplatform = vertex_sdk(self.settings)
        with google_errors("vertex.get_pipeline"):
            job = aiplatform.PipelineJob.get(name)
            resource = job.gca_resource
        tasks = {str(t.task_name): _task(t) for t in resource.job_detail.task_details}
        state = resource.state.name.removeprefix("PIPELINE_STATE_")
        return PipelineRun(name, state, tasks, str(resource.error.message or ""))

    def delete(self, name: str) -> None:
        aiplatform = vertex_sdk(self.settings)
        with google_errors("vertex.delete_pipeline"):
            aiplatform.PipelineJob.get(name).delete()


def _task(detail: Any) -> TaskResult:
    metadata = dict(detail.execution.metadata or {})
    parameters = {k.removeprefix("output:"): v for k, v in metadata.items() if k.startswith("output:")}
    artifacts = {
        key: str(listed.artifacts[0].uri) for key, listed in detail.outputs.items() if listed.artifacts
    }
    return TaskResult(
        str(detail.task_name), detail.state.name, parameters, artifacts, str(detail.error.message or "")
    )
