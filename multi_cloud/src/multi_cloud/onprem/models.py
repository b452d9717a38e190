"""OnPremModelService: script-mode training, versioned registry, ONNX export and serving, batch."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.base import ModelService, ObjectStorage
from multi_cloud.core.errors import InvalidArgument, NotFound, mapped_errors
from multi_cloud.core.types import (
    BatchPredictionJob,
    Endpoint,
    JobState,
    Prediction,
    TrainingJob,
    TrainingSpec,
)
from multi_cloud.onprem.artifact_loader import ArtifactLoader
from multi_cloud.onprem.batch import run_batch
from multi_cloud.onprem.endpoints import EndpointHost, ServedEndpoint
from multi_cloud.onprem.estimator_spec import estimator_training_spec
from multi_cloud.onprem.locations import ObjectLocations
from multi_cloud.onprem.model_artifacts import check_archive
from multi_cloud.onprem.model_registry import ModelRegistry, ModelVersion
from multi_cloud.onprem.onnx_export import OnnxExport, convert_to_onnx, onnx_uri_for
from multi_cloud.onprem.records import JsonStore, check_name, to_record
from multi_cloud.onprem.training import DEFAULT_ARTIFACTS_BUCKET, ScriptTrainer

#: "iris/2" or "iris/latest": a registered model version
MODEL_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/(\d+|latest)$")
ModelSource = TrainingJob | ModelVersion | str

__all__ = ["ModelVersion", "OnPremModelService", "ServedEndpoint"]


def _keep(_: BaseException) -> None:
    return None  # CloudErrors get provider/operation filled in; anything else propagates unchanged


class OnPremModelService(ModelService):
    """Models on this machine: jobs, registry, endpoints under ``root``; artifacts in ``storage``."""

    def __init__(
        self,
        provider: str,
        root: Path,
        storage: ObjectStorage,
        *,
        artifacts_bucket: str = DEFAULT_ARTIFACTS_BUCKET,
    ) -> None:
        super().__init__(provider)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.storage = storage
        self.locations = ObjectLocations(storage)
        self.loader = ArtifactLoader(self.locations)
        self.trainer = ScriptTrainer(provider, self.root, self.locations, artifacts_bucket=artifacts_bucket)
        self.registry = ModelRegistry(self.root / "registry", provider)
        self.endpoints = EndpointHost(provider, self.root, self.loader)
        self.batch_jobs = JsonStore(self.root / "batch-jobs")

    # ------------------------------------------------------------------ training
    def train(self, spec: TrainingSpec) -> TrainingJob:
        with mapped_errors(self.provider, "models.train", _keep):
            return self.trainer.train(spec)

    def train_estimator(
        self,
        name: str,
        estimator: str,
        params: Mapping[str, Any],
        data_uri: str,
        label_column: int = 0,
        *,
        output_uri: str = "",
        timeout_seconds: int = 3600,
    ) -> TrainingJob:
        """Fit ``estimator(**params)`` (a dotted class path) on the CSVs at ``data_uri``, in script mode."""
        with mapped_errors(self.provider, "models.train_estimator", _keep):
            spec = estimator_training_spec(
                name,
                estimator,
                params,
                data_uri,
                label_column=label_column,
                output_uri=output_uri,
                timeout_seconds=timeout_seconds,
            )
            return self.trainer.train(spec)

    def get_training_job(self, name: str) -> TrainingJob:
        return self.trainer.get(name)

    def list_training_jobs(self) -> list[TrainingJob]:
        return self.trainer.list()

    def training_logs(self, name: str) -> str:
        """Everything the job's script printed (stdout then stderr)."""
        return self.trainer.logs(name)

    # ------------------------------------------------------------------ registry
    def register_model(
        self,
        name: str,
        artifact: TrainingJob | str,
        *,
        metrics: Mapping[str, float] | None = None,
        description: str = "",
    ) -> ModelVersion:
        """Add the next version of ``name``: a checked artifact (a job's metrics are kept by default)."""
        with mapped_errors(self.provider, "models.register_model", _keep):
            check_name("model", name)
            uri, _ = self.resolve_artifact(artifact)
            check_archive(self.locations.read(uri), uri)
            source_job = artifact.name if isinstance(artifact, TrainingJob) else ""
            if metrics is None and isinstance(artifact, TrainingJob):
                metrics = artifact.metrics
            return self.registry.register(
                name, uri, metrics=metrics, description=description, source_job=source_job
            )

    def list_model_versions(self, name: str) -> list[ModelVersion]:
        return self.registry.versions(name)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        return self.registry.get(name, version)

    def list_models(self) -> list[str]:
        return self.registry.names()

    def resolve_artifact(self, source: ModelSource) -> tuple[str, str]:
        """``(artifact URI, model name)`` of a finished job, a ModelVersion, "name/version" or URI/path."""
        if isinstance(source, TrainingJob):
            if source.state is not JobState.SUCCEEDED or not source.model_artifact:
                why = f": {source.failure_reason}" if source.failure_reason else ""
                raise InvalidArgument(
                    f"training job {source.name} is {source.status}{why}; only a Completed job has a model"
                )
            return source.model_artifact, source.name
        if isinstance(source, ModelVersion):
            return source.artifact_uri, source.ref
        if MODEL_REF.match(source) and not Path(source).exists():
            version = self.registry.resolve(source)
            return version.artifact_uri, version.ref
        return source, _model_name_from_uri(source)

    # ------------------------------------------------------------------ ONNX
    def export_onnx(self, source: ModelSource) -> OnnxExport:
        """Convert the artifact's model with skl2onnx and store ``model.onnx`` beside ``model.tar.gz``."""
        with mapped_errors(self.provider, "models.export_onnx", _keep):
            uri, _ = self.resolve_artifact(source)
            with self._scratch() as scratch:
                loaded = self.loader.load(uri, scratch / "model")
                onnx_bytes = convert_to_onnx(loaded.model, loaded.n_features)
            stored = self.locations.write(
                onnx_uri_for(uri), onnx_bytes, content_type="application/octet-stream"
            )
            return OnnxExport(
                uri=stored, artifact_uri=uri, onnx_bytes=onnx_bytes, n_features=loaded.n_features
            )

    # ------------------------------------------------------------------ serving
    def deploy(self, job_or_artifact: ModelSource, endpoint_name: str) -> ServedEndpoint:
        """Serve the model at ``endpoint_name`` with onnxruntime (scikit-learn if ONNX is impossible)."""
        with mapped_errors(self.provider, "models.deploy", _keep):
            uri, model_name = self.resolve_artifact(job_or_artifact)
            return self.endpoints.deploy(uri, endpoint_name, model_name=model_name)

    def get_endpoint(self, endpoint_name: str) -> ServedEndpoint:
        return self.endpoints.get(endpoint_name)

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction:
        with mapped_errors(self.provider, "models.predict", _keep):
            return self.endpoints.predict(endpoint_name, instances)

    def delete_endpoint(self, endpoint_name: str) -> None:
        self.endpoints.delete(endpoint_name)

    def list_endpoints(self) -> list[Endpoint]:
        return list(self.endpoints.list())

    # ------------------------------------------------------------------ batch
    def batch_predict(
        self, model_artifact: ModelSource, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        """SageMaker batch transform: ``<input object>.out`` under ``output_uri``, one prediction per line."""
        name = check_name("batch job", job_name or _generated_name("batch"))
        with mapped_errors(self.provider, "models.batch_predict", _keep):
            uri, _ = self.resolve_artifact(model_artifact)
            with self._scratch() as scratch:
                built = self.loader.runtime(self.loader.load(uri, scratch / "model"))
                job = run_batch(
                    name=name,
                    provider=self.provider,
                    runtime=built.runtime,
                    locations=self.locations,
                    input_uri=input_uri,
                    output_uri=output_uri,
                )
        self.batch_jobs.save(name, to_record(job))
        return job

    def get_batch_prediction_job(self, name: str) -> BatchPredictionJob:
        record = self.batch_jobs.load(name)
        if record is None:
            raise NotFound(
                f"no batch prediction job named {name!r}; run batch_predict first",
                provider=self.provider,
                operation="models.get_batch_prediction_job",
            )
        return BatchPredictionJob(**record)

    @contextmanager
    def _scratch(self) -> Iterator[Path]:
        """A temporary folder under ``root`` for unpacking artifacts, removed afterwards."""
        base = self.root / "scratch"
        base.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir=base) as folder:
            yield Path(folder)


def _model_name_from_uri(uri: str) -> str:
    parts = [p for p in uri.rstrip("/").split("/") if p]
    if len(parts) >= 3 and parts[-2] == "output":
        return parts[-3]  # .../<job name>/output/model.tar.gz
    return parts[-1] if parts else uri


def _generated_name(prefix: str) -> str:
    return f"{prefix}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
