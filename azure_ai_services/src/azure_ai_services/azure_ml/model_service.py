"""AzureMLModelService: the portable ModelService on Azure ML (command jobs, models, online endpoints).

The portable :class:`~multi_cloud.core.types.TrainingSpec` is SageMaker-style script mode. Training uploads a
code folder holding the learner's code (``cloudai_source/``) and the shared launcher of
:mod:`multi_cloud.core.script_mode`, and runs it as a command job: each channel is a ``uri_folder`` input
(a Blob URL from the storage capability, ``azure://container/prefix`` for that container's Blob URL, or an
``azureml://`` path) that Azure ML downloads and the launcher passes on as ``SM_CHANNEL_<NAME>``; the model
folder is published to the job's ``model`` output, with ``cloudai_metrics.json`` (the printed
``name=value`` lines). ``deploy`` registers that output as a model and serves it from a managed online
endpoint (key auth) whose deployment ``portable`` runs a generated scoring script for ``model.joblib``
(:mod:`.scoring_code`) with all the traffic. ``batch_predict`` is a command job running a generated batch
script over the input CSV files; its ``predictions.csv`` (one prediction per input row, in order) is copied
to ``output_uri``.
"""

from __future__ import annotations

import json
import shlex
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from multi_cloud.core.base import ModelService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.script_mode import LAUNCHER_MODULE, METRICS_FILE, SOURCE_FOLDER, launcher_source
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.states import EndpointState, JobState
from multi_cloud.core.types import BatchPredictionJob, Endpoint, Prediction, TrainingJob, TrainingSpec

from azure_ai_services.azure_ml.deployment import AzureMLDeployer
from azure_ai_services.azure_ml.scoring_code import write_batch_code, write_online_code
from azure_ai_services.azure_ml.training import SKLEARN_ENVIRONMENT, AzureMLTrainer
from azure_ai_services.errors import azure_errors

AZURE_SCHEME = "azure://"
COMPUTE = "cpu-cluster"
DEPLOYMENT = "portable"
INSTANCE_TYPE = "Standard_DS3_v2"
EXPERIMENT = "cloudai-portable"
JOB_STATES = {
    "Completed": JobState.SUCCEEDED,
    "Failed": JobState.FAILED,
    "Canceled": JobState.STOPPED,
    "CancelRequested": JobState.STOPPING,
    "Running": JobState.RUNNING,
    "Finalizing": JobState.RUNNING,
    "Starting": JobState.PENDING,
    "Preparing": JobState.PENDING,
    "Queued": JobState.PENDING,
    "NotStarted": JobState.PENDING,
}
SKIPPED = shutil.ignore_patterns("__pycache__", ".git", ".venv", ".ipynb_checkpoints")


class AzureMLModelService(ModelService):
    """Models in one Azure ML workspace (``MLClient`` from the environment, or yours)."""

    def __init__(
        self, provider: str = "azure", settings: Settings | None = None, ml_client: Any = None
    ) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()
        # a provider-neutral service draws no SDK progress bars: its callers print their own progress
        self.trainer = AzureMLTrainer(ml_client, self.settings, show_progress=False)
        self.deployer = AzureMLDeployer(
            self.trainer.client if ml_client is not None else None, show_progress=False
        )
        self._compute_ready = False

    @property
    def client(self) -> Any:
        return self.trainer.client

    # ------------------------------------------------------------------ training
    def train(self, spec: TrainingSpec) -> TrainingJob:
        from azure.ai.ml import Input, Output, command

        entry = Path(spec.source_dir) / spec.entry_point if spec.source_dir else Path(spec.entry_point)
        if not entry.is_file():
            raise self._invalid(f"entry point {entry} does not exist", "train")
        bad = [name for name in spec.inputs if not name.isidentifier()]
        if bad:
            raise self._invalid(
                f"channel names must be identifiers (Azure ML input names), not {bad}", "train"
            )
        arguments = [f"--cloudai-entry-point={spec.entry_point if spec.source_dir else entry.name}"]
        arguments += [f"--cloudai-channel={name}=${{{{inputs.{name}}}}}" for name in spec.inputs]
        arguments.append("--cloudai-model-dir=${{outputs.model}}")
        for key, value in spec.hyperparameters.items():
            arguments += [f"--{key}", str(value)]
        self._ensure_compute()
        with tempfile.TemporaryDirectory(prefix="cloudai-azureml-code-") as staging:
            code = Path(staging) / "code"
            if spec.source_dir:
                shutil.copytree(spec.source_dir, code / SOURCE_FOLDER, ignore=SKIPPED)
            else:
                (code / SOURCE_FOLDER).mkdir(parents=True)
                shutil.copy2(entry, code / SOURCE_FOLDER / entry.name)
            (code / f"{LAUNCHER_MODULE}.py").write_bytes(launcher_source())
            job = command(
                name=spec.name,
                display_name=spec.name,
                code=str(code),
                command=" ".join(["python", f"{LAUNCHER_MODULE}.py", *map(_quote, arguments)]),
                inputs={
                    name: Input(type="uri_folder", path=self._blob_uri(uri))
                    for name, uri in spec.inputs.items()
                },
                outputs={"model": Output(type="uri_folder")},
                environment=SKLEARN_ENVIRONMENT,
                compute=COMPUTE,
                experiment_name=EXPERIMENT,
                tags={"cloudai-portable": "true"},
            )
            with azure_errors("models.train"):
                self.client.jobs.create_or_update(job)
        with azure_errors("models.train"):
            self.trainer.wait(spec.name, timeout=spec.timeout_seconds, poll=0.5)
        return self.get_training_job(spec.name)

    def get_training_job(self, name: str) -> TrainingJob:
        with azure_errors("models.get_training_job"):
            job = self.client.jobs.get(name)
            state = self.trainer.state(name)
        succeeded = state.status == "Completed"
        created = getattr(job.creation_context, "created_at", None)
        return TrainingJob(
            name=name,
            status=state.status,
            provider=self.provider,
            model_artifact=model_uri(name) if succeeded else "",
            metrics=self._metrics(name) if succeeded else {},
            started=created if isinstance(created, datetime) else None,
            failure_reason=state.error,
            state=JOB_STATES.get(state.status, JobState.UNKNOWN),
        )

    def _metrics(self, name: str) -> dict[str, float]:
        with tempfile.TemporaryDirectory(prefix="cloudai-azureml-metrics-") as folder:
            with azure_errors("models.get_training_job"):
                self.client.jobs.download(name, download_path=folder, output_name="model")
            found = sorted(Path(folder).rglob(METRICS_FILE))
            if not found:
                return {}
            return {str(k): float(v) for k, v in json.loads(found[0].read_text()).items()}

    # ------------------------------------------------------------------ serving
    def deploy(self, job_or_artifact: TrainingJob | str, endpoint_name: str) -> Endpoint:
        from azure.ai.ml.constants import AssetTypes
        from azure.ai.ml.entities import Model

        artifact = job_or_artifact if isinstance(job_or_artifact, str) else job_or_artifact.model_artifact
        if not artifact:
            raise self._invalid("the job has no model artifact (did it succeed?)", "deploy")
        with azure_errors("models.deploy"):
            model = self.client.models.create_or_update(
                Model(path=artifact, name=f"{endpoint_name}-model", type=AssetTypes.CUSTOM_MODEL)
            )
            self.deployer.create_endpoint(endpoint_name, description=f"cloudai portable: {artifact}")
            with tempfile.TemporaryDirectory(prefix="cloudai-azureml-score-") as folder:
                code = write_online_code(Path(folder) / "score")
                registered = f"azureml:{model.name}:{model.version}"  # by reference: the registry's copy
                self.deployer.deploy(
                    endpoint_name, DEPLOYMENT, registered, code_dir=code, instance_type=INSTANCE_TYPE
                )
            self.deployer.set_traffic(endpoint_name, {DEPLOYMENT: 100})
            found = self.client.online_endpoints.get(endpoint_name)
        return self._endpoint(found, model=f"{model.name}:{model.version}", artifact=artifact)

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction:
        with azure_errors("models.predict"):
            self.client.online_endpoints.get(endpoint_name)  # NotFound before an invoke
            answer = self.deployer.invoke(endpoint_name, {"instances": [list(row) for row in instances]})
        values = answer["predictions"] if isinstance(answer, dict) else answer
        return Prediction(values=tuple(values), model=f"{endpoint_name}/{DEPLOYMENT}", provider=self.provider)

    def delete_endpoint(self, endpoint_name: str) -> None:
        with azure_errors("models.delete_endpoint"):
            self.client.online_endpoints.get(endpoint_name)
            self.deployer.delete_endpoint(endpoint_name)

    def list_endpoints(self) -> list[Endpoint]:
        with azure_errors("models.list_endpoints"):
            return [self._endpoint(e) for e in self.client.online_endpoints.list()]

    def _endpoint(self, endpoint: Any, *, model: str = "", artifact: str = "") -> Endpoint:
        provisioning = getattr(endpoint, "provisioning_state", "") or ""
        state = str(getattr(provisioning, "value", provisioning))  # an enum or its string
        traffic = dict(getattr(endpoint, "traffic", None) or {})
        ready = state.lower() == "succeeded" and any(int(v) > 0 for v in traffic.values())
        return Endpoint(
            name=str(endpoint.name),
            status=state,
            provider=self.provider,
            model_name=model,
            model_artifact=artifact,
            instance_type=INSTANCE_TYPE if traffic else "",
            url=str(getattr(endpoint, "scoring_uri", "") or ""),
            state=EndpointState.READY if ready else EndpointState.CREATING,
        )

    # ------------------------------------------------------------------ batch
    def batch_predict(
        self, model_artifact: str, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        from azure.ai.ml import Input, Output, command

        name = job_name or f"batch-{datetime.now().strftime('%Y%m%d%H%M%S%f')}"
        self._ensure_compute()
        with tempfile.TemporaryDirectory(prefix="cloudai-azureml-batch-") as folder:
            job = command(
                name=name,
                display_name=name,
                code=str(write_batch_code(Path(folder) / "code")),
                command="python batch_score.py --model ${{inputs.model}} --data ${{inputs.data}} "
                "--out ${{outputs.predictions}}",
                inputs={
                    "model": Input(type="uri_folder", path=model_artifact),
                    "data": Input(type="uri_folder", path=self._blob_uri(input_uri)),
                },
                outputs={"predictions": Output(type="uri_folder")},
                environment=SKLEARN_ENVIRONMENT,
                compute=COMPUTE,
                experiment_name=EXPERIMENT,
                tags={"cloudai-portable": "batch"},
            )
            with azure_errors("models.batch_predict"):
                self.client.jobs.create_or_update(job)
                state = self.trainer.wait(name, timeout=3600, poll=0.5)
        if not state.succeeded:
            return BatchPredictionJob(
                name,
                state.status,
                self.provider,
                input_uri,
                output_uri,
                failure_reason=state.error,
                state=JOB_STATES.get(state.status, JobState.UNKNOWN),
            )
        with tempfile.TemporaryDirectory(prefix="cloudai-azureml-predictions-") as folder:
            with azure_errors("models.batch_predict"):
                self.client.jobs.download(name, download_path=folder, output_name="predictions")
            found = sorted(Path(folder).rglob("predictions.csv"))
            if not found:
                raise self._invalid(f"batch job {name} wrote no predictions.csv", "batch_predict")
            data = found[0].read_bytes()
        target = self._blob_uri(output_uri).rstrip("/") + "/predictions.csv"
        self._put(target, data)
        return BatchPredictionJob(
            name,
            state.status,
            self.provider,
            input_uri,
            target,
            records=len(data.decode().split()),
            state=JobState.SUCCEEDED,
        )

    # ------------------------------------------------------------------ internals
    def _ensure_compute(self) -> None:
        if not self._compute_ready:
            with azure_errors("models.compute"):
                self.trainer.ensure_compute(COMPUTE)
            self._compute_ready = True

    def _blob_uri(self, uri: str) -> str:
        """``azure://container/prefix`` as its Blob URL (what Azure ML inputs take); other URIs as given."""
        if not uri.startswith(AZURE_SCHEME):
            return uri
        from azure_ai_services.storage.blob_storage import BlobStorage

        container, _, prefix = uri[len(AZURE_SCHEME) :].partition("/")
        if not container:
            raise self._invalid(f"{uri!r} names no container: use azure://container/prefix", "inputs")
        return BlobStorage(self.provider, self.settings).uri(container, prefix)

    def _put(self, blob_url: str, data: bytes) -> None:
        """Write ``data`` at a Blob URL through the storage capability (its credentials)."""
        from azure.storage.blob import BlobClient

        from azure_ai_services.storage.blob_storage import BlobStorage

        parsed = BlobClient.from_blob_url(blob_url)
        BlobStorage(self.provider, self.settings).put_object(
            parsed.container_name, parsed.blob_name, data, content_type="text/csv"
        )

    def _invalid(self, message: str, operation: str) -> InvalidArgument:
        return InvalidArgument(message, provider=self.provider, operation=f"models.{operation}")


def model_uri(job: str) -> str:
    """Where a portable training job's model folder is: its ``model`` output."""
    return f"azureml://jobs/{job}/outputs/model/paths/"


def _quote(argument: str) -> str:
    """Shell-quote an argument, leaving Azure ML's ``${{...}}`` bindings for the service to replace."""
    return argument if "${{" in argument else shlex.quote(argument)
