"""VertexTrainer: a training script on Vertex AI as a ``CustomTrainingJob`` (with a model) or ``CustomJob``.

The SDK packages ``script_path`` into a Python package, stages it in ``staging_bucket`` and the service runs
it under Vertex's contract: ``AIP_MODEL_DIR`` (write the model there; ``gs://`` paths are mounted at
``/gcs/``), ``AIP_CHECKPOINT_DIR``, ``CLUSTER_SPEC``. A failed or cancelled job is a result, not an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import vertex_sdk
from gcp_ai_services.vertex_ai.images import SKLEARN_PREDICTION_IMAGE, SKLEARN_TRAINING_IMAGE


@dataclass(frozen=True)
class TrainingResult:
    """How a job ended: ``state`` (``SUCCEEDED``, ``FAILED``, ``CANCELLED``), its error, and any model."""

    job_name: str
    state: str
    error: str = ""
    model_name: str = ""
    model_version: str = ""

    @property
    def succeeded(self) -> bool:
        return self.state == "SUCCEEDED"


class VertexTrainer:
    """Custom training on Vertex AI through ``google.cloud.aiplatform`` (imported on first use)."""

    def __init__(self, staging_bucket: str, settings: Settings | None = None) -> None:
        self.staging_bucket = (
            staging_bucket if staging_bucket.startswith("gs://") else f"gs://{staging_bucket}"
        )
        self.settings = settings or get_settings()

    def _sdk(self) -> Any:
        return vertex_sdk(self.settings, staging_bucket=self.staging_bucket)

    def train_script(
        self,
        display_name: str,
        script_path: str,
        *,
        args: Sequence[str] = (),
        requirements: Sequence[str] = (),
        container_uri: str = SKLEARN_TRAINING_IMAGE,
        serving_image: str = SKLEARN_PREDICTION_IMAGE,
        machine_type: str = "n1-standard-4",
    ) -> TrainingResult:
        """A ``CustomTrainingJob`` that also uploads the model it writes to ``AIP_MODEL_DIR``."""
        aiplatform = self._sdk()
        with google_errors("vertex.train_script"):
            job = aiplatform.CustomTrainingJob(
                display_name=display_name,
                script_path=script_path,
                container_uri=container_uri,
                requirements=list(requirements),
                model_serving_container_image_uri=serving_image,
            )
            try:
                model = job.run(args=list(args), replica_count=1, machine_type=machine_type)
            except RuntimeError:  # the SDK raises for a failed pipeline; the result says why
                model = None
        return TrainingResult(
            job_name=job.resource_name,
            state=job.state.name.removeprefix("PIPELINE_STATE_"),
            error=str(job.gca_resource.error.message or ""),
            model_name=model.resource_name if model is not None else "",
            model_version=str(model.version_id) if model is not None else "",
        )

    def run_custom_job(
        self,
        display_name: str,
        script_path: str,
        *,
        args: Sequence[str] = (),
        base_output_dir: str = "",
        container_uri: str = SKLEARN_TRAINING_IMAGE,
        machine_type: str = "n1-standard-4",
    ) -> TrainingResult:
        """A ``CustomJob`` from a local script; its model lands in ``base_output_dir/model/``."""
        aiplatform = self._sdk()
        with google_errors("vertex.run_custom_job"):
            job = aiplatform.CustomJob.from_local_script(
                display_name=display_name,
                script_path=script_path,
                container_uri=container_uri,
                args=list(args),
                machine_type=machine_type,
                base_output_dir=base_output_dir or None,
            )
            try:
                job.run()
            except RuntimeError:
                pass
        return TrainingResult(
            job_name=job.resource_name,
            state=job.state.name.removeprefix("JOB_STATE_"),
            error=str(job.gca_resource.error.message or ""),
        )
