"""VertexModelService: the portable ModelService on Vertex AI (custom jobs, Model Registry, endpoints, batch).

The portable :class:`~multi_cloud.core.types.TrainingSpec` is SageMaker-style script mode. Training builds a
Python package (:mod:`.script_mode.package`) holding the learner's code and a launcher that maps that
contract onto Vertex's (channels downloaded from Cloud Storage, ``SM_MODEL_DIR`` copied to ``AIP_MODEL_DIR``,
printed ``name=value`` metrics saved beside the model), stages it in the staging bucket and runs a
``CustomJob`` with the prebuilt scikit-learn image. ``deploy`` uploads the model folder to the Model Registry
and deploys it to an endpoint named like the portable endpoint (Vertex names endpoints by display name);
``batch_predict`` runs a ``BatchPredictionJob`` over the input CSV files and writes the portable result: one
prediction per input row, in order, to ``output_uri``/``predictions.csv``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from multi_cloud.core.base import ModelService
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.states import EndpointState, JobState
from multi_cloud.core.types import BatchPredictionJob, Endpoint, Prediction, TrainingJob, TrainingSpec

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import storage_client, vertex_sdk
from gcp_ai_services.vertex_ai.images import SKLEARN_PREDICTION_IMAGE, SKLEARN_TRAINING_IMAGE
from gcp_ai_services.vertex_ai.script_mode.package import LAUNCHER_MODULE, training_package

METRICS_FILE = "cloudai_metrics.json"
JOB_STATES = {
    "JOB_STATE_SUCCEEDED": JobState.SUCCEEDED,
    "JOB_STATE_FAILED": JobState.FAILED,
    "JOB_STATE_CANCELLED": JobState.STOPPED,
    "JOB_STATE_CANCELLING": JobState.STOPPING,
    "JOB_STATE_RUNNING": JobState.RUNNING,
    "JOB_STATE_QUEUED": JobState.PENDING,
    "JOB_STATE_PENDING": JobState.PENDING,
}
MACHINE_TYPE = "n1-standard-4"
SERVING_MACHINE_TYPE = "n1-standard-2"


class VertexModelService(ModelService):
    """Models on Vertex AI for one project and region; staging and outputs in ``staging_bucket``."""

    def __init__(
        self, provider: str = "gcp", settings: Settings | None = None, *, staging_bucket: str = ""
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        self.staging_bucket = staging_bucket or f"{self.settings.gcp.project}-cloudai-vertex"

    def _sdk(self) -> Any:
        self._ensure_bucket()
        return vertex_sdk(self.settings, staging_bucket=f"gs://{self.staging_bucket}")

    # ------------------------------------------------------------------ training
    def train(self, spec: TrainingSpec) -> TrainingJob:
        entry = Path(spec.source_dir or ".") / spec.entry_point if spec.source_dir else Path(spec.entry_point)
        if not entry.is_file():
            raise self._invalid(f"entry point {entry} does not exist", "train")
        aiplatform = self._sdk()
        stamp = datetime.now().strftime("%Y%m%d%H%M%S%f")
        base = f"gs://{self.staging_bucket}/jobs/{spec.name}-{stamp}"
        package = f"{base}/package/cloudai_trainer-0.1.tar.gz"
        self._upload(package, training_package(entry, Path(spec.source_dir) if spec.source_dir else None))
        args = [f"--cloudai-entry-point={entry.name if not spec.source_dir else spec.entry_point}"]
        args += [f"--cloudai-channel={name}={uri}" for name, uri in spec.inputs.items()]
        for key, value in spec.hyperparameters.items():
            args += [f"--{key}", str(value)]
        machine = MACHINE_TYPE if spec.instance_type in ("", "local") else spec.instance_type
        with google_errors("models.train"):
            job = aiplatform.CustomJob(
                display_name=spec.name,
                worker_pool_specs=[
                    {
                        "machine_spec": {"machine_type": machine},
                        "replica_count": 1,
                        "python_package_spec": {
                            "executor_image_uri": SKLEARN_TRAINING_IMAGE,
                            "package_uris": [package],
                            "python_module": LAUNCHER_MODULE,
                            "args": args,
                        },
                    }
                ],
                base_output_dir=base,
                labels={"cloudai-portable": "true"},
            )
            try:
                job.run(sync=True, timeout=spec.timeout_seconds)
            except RuntimeError:
                pass  # a failed job is a result: its state and error are read below
        return self._training_job(job)

    def get_training_job(self, name: str) -> TrainingJob:
        aiplatform = self._sdk()
        with google_errors("models.get_training_job"):
            found = [job for job in aiplatform.CustomJob.list() if job.display_name == name]
        if not found:
            raise NotFound(
                f"no Vertex AI custom job named {name!r}",
                provider=self.provider,
                operation="get_training_job",
            )
        return self._training_job(max(found, key=lambda job: job.create_time))

    def _training_job(self, job: Any) -> TrainingJob:
        resource = job.gca_resource
        status = resource.state.name
        base = resource.job_spec.base_output_directory.output_uri_prefix.rstrip("/")
        succeeded = status == "JOB_STATE_SUCCEEDED"
        return TrainingJob(
            name=resource.display_name,
            status=status,
            provider=self.provider,
            model_artifact=f"{base}/model/" if succeeded else "",
            metrics=self._metrics(f"{base}/model/{METRICS_FILE}") if succeeded else {},
            started=resource.start_time or None,
            ended=resource.end_time or None,
            failure_reason=resource.error.message if not succeeded else "",
            hyperparameters={},
            state=JOB_STATES.get(status, JobState.UNKNOWN),
        )

    # ------------------------------------------------------------------ serving
    def deploy(self, job_or_artifact: TrainingJob | str, endpoint_name: str) -> Endpoint:
        artifact = job_or_artifact if isinstance(job_or_artifact, str) else job_or_artifact.model_artifact
        if not artifact.startswith("gs://"):
            raise self._invalid(f"a Vertex model is served from a gs:// folder, not {artifact!r}", "deploy")
        aiplatform = self._sdk()
        with google_errors("models.deploy"):
            model = aiplatform.Model.upload(
                display_name=endpoint_name,
                artifact_uri=artifact,
                serving_container_image_uri=SKLEARN_PREDICTION_IMAGE,
            )
            endpoint = self._find_endpoint(aiplatform, endpoint_name, missing_ok=True)
            if endpoint is None:
                endpoint = aiplatform.Endpoint.create(display_name=endpoint_name)
            model.deploy(endpoint=endpoint, traffic_percentage=100, machine_type=SERVING_MACHINE_TYPE)
        return self._endpoint(endpoint, artifact)

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction:
        aiplatform = self._sdk()
        endpoint = self._find_endpoint(aiplatform, endpoint_name)
        with google_errors("models.predict"):
            answer = endpoint.predict(instances=[list(row) for row in instances])
        return Prediction(
            values=tuple(answer.predictions), model=str(answer.model_resource_name), provider=self.provider
        )

    def delete_endpoint(self, endpoint_name: str) -> None:
        aiplatform = self._sdk()
        endpoint = self._find_endpoint(aiplatform, endpoint_name)
        with google_errors("models.delete_endpoint"):
            models = [deployed.model for deployed in endpoint.list_models()]
            endpoint.delete(force=True)
            for model in models:
                aiplatform.Model(model).delete()

    def list_endpoints(self) -> list[Endpoint]:
        aiplatform = self._sdk()
        with google_errors("models.list_endpoints"):
            return [self._endpoint(endpoint, "") for endpoint in aiplatform.Endpoint.list()]

    def _find_endpoint(self, aiplatform: Any, name: str, *, missing_ok: bool = False) -> Any:
        with google_errors("models.find_endpoint"):
            found = [e for e in aiplatform.Endpoint.list() if e.display_name == name]
        if not found and not missing_ok:
            raise NotFound(
                f"no Vertex AI endpoint named {name!r}", provider=self.provider, operation="predict"
            )
        return found[0] if found else None

    def _endpoint(self, endpoint: Any, artifact: str) -> Endpoint:
        deployed = endpoint.gca_resource.deployed_models
        return Endpoint(
            name=endpoint.display_name,
            status="DEPLOYED" if deployed else "NO_DEPLOYED_MODEL",
            provider=self.provider,
            model_name=deployed[0].model if deployed else "",
            model_artifact=artifact,
            instance_type=SERVING_MACHINE_TYPE if deployed else "",
            url=endpoint.resource_name,
            state=EndpointState.READY if deployed else EndpointState.CREATING,
        )

    # ------------------------------------------------------------------ batch
    def batch_predict(
        self, model_artifact: str, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        aiplatform = self._sdk()
        name = job_name or f"batch-{datetime.now().strftime('%Y%m%d%H%M%S%f')}"
        inputs = self._csv_objects(input_uri)
        if not inputs:
            raise self._invalid(f"no .csv objects under {input_uri}", "batch_predict")
        rows = [row for uri in inputs for row in self._read(uri).decode().splitlines() if row.strip()]
        staging = f"gs://{self.staging_bucket}/batch/{name}"
        # Vertex reads a CSV's first row as its header; the portable input has none, so one is added
        width = len(rows[0].split(",")) if rows else 0
        header = ",".join(f"f{i}" for i in range(width))
        staged_input = f"{staging}/input/rows.csv"
        self._upload(staged_input, "\n".join([header, *rows]).encode() + b"\n")
        with google_errors("models.batch_predict"):
            model = aiplatform.Model.upload(
                display_name=name,
                artifact_uri=model_artifact,
                serving_container_image_uri=SKLEARN_PREDICTION_IMAGE,
            )
            job = model.batch_predict(
                job_display_name=name,
                gcs_source=[staged_input],
                instances_format="csv",
                predictions_format="jsonl",
                gcs_destination_prefix=staging,
                machine_type=SERVING_MACHINE_TYPE,
                sync=False,
            )
            try:
                job.wait()
            except RuntimeError:
                pass
            resource = job.gca_resource
        status = resource.state.name
        if status != "JOB_STATE_SUCCEEDED":
            return BatchPredictionJob(
                name,
                status,
                self.provider,
                input_uri,
                output_uri,
                failure_reason=resource.error.message,
                state=JOB_STATES.get(status, JobState.UNKNOWN),
            )
        predictions = self._ordered_predictions(resource.output_info.gcs_output_directory, rows)
        target = output_uri.rstrip("/") + "/predictions.csv"
        self._upload(target, "".join(f"{value}\n" for value in predictions).encode())
        return BatchPredictionJob(
            name, status, self.provider, input_uri, target, records=len(predictions), state=JobState.SUCCEEDED
        )

    def _ordered_predictions(self, folder: str, rows: list[str]) -> list[Any]:
        """Vertex's ``{"instance", "prediction"}`` lines put back in the input rows' order."""
        by_instance: dict[str, list[Any]] = {}
        for uri in self._objects(folder.rstrip("/") + "/"):
            if "prediction.results" not in uri:
                continue
            for line in self._read(uri).decode().splitlines():
                if line.strip():
                    record = json.loads(line)
                    instance = record["instance"]
                    values = instance.values() if isinstance(instance, dict) else instance
                    key = json.dumps([float(v) for v in values])
                    by_instance.setdefault(key, []).append(record["prediction"])
        ordered = []
        for row in rows:
            key = json.dumps([float(v) for v in row.split(",")])
            if not by_instance.get(key):
                raise self._invalid(f"the batch job returned no prediction for row {row!r}", "batch_predict")
            ordered.append(by_instance[key].pop(0))
        return ordered

    # ------------------------------------------------------------------ Cloud Storage
    def _ensure_bucket(self) -> None:
        client = storage_client(self.settings)
        with google_errors("models.staging_bucket"):
            if client.lookup_bucket(self.staging_bucket) is None:
                client.create_bucket(self.staging_bucket, location=self.settings.gcp.location)

    def _upload(self, uri: str, data: bytes) -> None:
        bucket, _, name = uri[len("gs://") :].partition("/")
        with google_errors("models.upload"):
            storage_client(self.settings).bucket(bucket).blob(name).upload_from_string(data)

    def _read(self, uri: str) -> bytes:
        bucket, _, name = uri[len("gs://") :].partition("/")
        with google_errors("models.read"):
            return bytes(storage_client(self.settings).bucket(bucket).blob(name).download_as_bytes())

    def _objects(self, prefix_uri: str) -> list[str]:
        bucket, _, prefix = prefix_uri[len("gs://") :].partition("/")
        with google_errors("models.list"):
            blobs = storage_client(self.settings).list_blobs(bucket, prefix=prefix)
            return [f"gs://{bucket}/{blob.name}" for blob in blobs if not blob.name.endswith("/")]

    def _csv_objects(self, prefix_uri: str) -> list[str]:
        return [uri for uri in self._objects(prefix_uri) if uri.endswith(".csv")]

    def _metrics(self, uri: str) -> dict[str, float]:
        try:
            return {str(k): float(v) for k, v in json.loads(self._read(uri)).items()}
        except NotFound:
            return {}

    def _invalid(self, message: str, operation: str) -> InvalidArgument:
        return InvalidArgument(message, provider=self.provider, operation=f"models.{operation}")
