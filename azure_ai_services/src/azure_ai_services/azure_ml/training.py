"""AzureMLTrainer: submit a script folder as an Azure ML command job, wait for it, read its logs and outputs.

The same code runs against Azure (``CLOUDAI_MODE=cloud``, your subscription) and the local cloud, where the
job really runs under the ``AZUREML_*`` contract and its outputs land in Azurite. The workspace is named as
in Microsoft's samples: ``AZURE_SUBSCRIPTION_ID``, ``AZURE_RESOURCE_GROUP``, ``AZUREML_WORKSPACE_NAME``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings

if TYPE_CHECKING:  # pragma: no cover
    from azure.ai.ml import MLClient

SKLEARN_ENVIRONMENT = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
TERMINAL = ("Completed", "Failed", "Canceled")
LOCAL_WORKSPACE = ("00000000-0000-0000-0000-000000000000", "cloudai-rg", "cloudai-ws")


@dataclass(frozen=True)
class JobState:
    """A job's name, status (``Running``, ``Completed``, ...) and, when it failed, why."""

    name: str
    status: str
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == "Completed"


class JobTimeout(CloudError):
    """The job did not reach a final status in time."""


class AzureMLTrainer:
    """Command jobs of one workspace; pass your own ``MLClient`` or let it build one from the environment."""

    def __init__(
        self,
        ml_client: MLClient | None = None,
        settings: Settings | None = None,
        *,
        show_progress: bool = True,
    ) -> None:
        self._client = ml_client
        self.settings = settings or get_settings()
        self.show_progress = show_progress  # the SDK's upload bars and polling dots

    @property
    def client(self) -> MLClient:
        """``MLClient(DefaultAzureCredential(), subscription, resource group, workspace)``, made once."""
        if self._client is None:
            from azure.ai.ml import MLClient
            from azure.identity import DefaultAzureCredential

            from azure_ai_services.clients import rules

            rules(self.settings).prepare(os.environ, os.environ.update)
            subscription, group, workspace = LOCAL_WORKSPACE
            self._client = MLClient(
                DefaultAzureCredential(),
                os.environ.get("AZURE_SUBSCRIPTION_ID", subscription),
                os.environ.get("AZURE_RESOURCE_GROUP", group),
                os.environ.get("AZUREML_WORKSPACE_NAME", workspace),
                show_progress=self.show_progress,
            )
        return self._client

    def ensure_compute(
        self, name: str = "cpu-cluster", size: str = "STANDARD_DS3_V2", max_nodes: int = 2
    ) -> str:
        """Create (or update) an AmlCompute cluster that scales to zero; its name."""
        from azure.ai.ml.entities import AmlCompute

        cluster = AmlCompute(name=name, size=size, min_instances=0, max_instances=max_nodes)
        return str(self.client.compute.begin_create_or_update(cluster).result().name)

    def submit(
        self,
        source_dir: str | Path,
        command: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Sequence[str] = (),
        compute: str = "cpu-cluster",
        environment: str = SKLEARN_ENVIRONMENT,
        experiment: str = "cloudai",
    ) -> str:
        """Submit ``command`` (``python train.py --data ${{inputs.data}}``) in ``source_dir``; the job name.

        ``inputs`` values that are local files or folders are uploaded (``uri_file``/``uri_folder``); other
        values are literals. Each of ``outputs`` is a ``uri_folder`` the command can name as
        ``${{outputs.NAME}}``.
        """
        from azure.ai.ml import Input, Output
        from azure.ai.ml import command as command_job

        job_inputs: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            path = Path(value) if isinstance(value, (str, Path)) else None
            if path is not None and path.exists():
                kind = "uri_folder" if path.is_dir() else "uri_file"
                job_inputs[name] = Input(type=kind, path=str(path))
            else:
                job_inputs[name] = value
        job = command_job(
            code=str(source_dir),
            command=command,
            inputs=job_inputs,
            outputs={name: Output(type="uri_folder") for name in outputs},
            environment=environment,
            compute=compute,
            experiment_name=experiment,
        )
        return str(self.client.jobs.create_or_update(job).name)

    def state(self, name: str) -> JobState:
        job = self.client.jobs.get(name)
        status = str(getattr(job.status, "value", job.status))  # a JobStatus enum or its string
        error = ""
        if status == "Failed":
            details = self.client.jobs._runs_operations.get_run_details(name)  # noqa: SLF001 - run history
            error = str(details.error.error.message or "") if details.error and details.error.error else ""
        return JobState(name=name, status=status, error=error)

    def wait(self, name: str, *, timeout: float = 600, poll: float = 1.0) -> JobState:
        """Poll ``jobs.get`` until the job is ``Completed``, ``Failed`` or ``Canceled``."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(name)
            if state.status in TERMINAL:
                return state
            if time.monotonic() > deadline:
                raise JobTimeout(f"job {name} is still {state.status} after {timeout:.0f} s")
            time.sleep(poll)

    def download(self, name: str, path: str | Path) -> Path:
        """Everything the job left under ``path``: ``artifacts/`` (logs, ``outputs/``), ``named-outputs/``."""
        self.client.jobs.download(name, download_path=str(path), all=True)
        return Path(path)

    def logs(self, name: str) -> str:
        """The job's ``user_logs/std_log.txt`` (the script's stdout and stderr)."""
        with tempfile.TemporaryDirectory(prefix="cloudai-azureml-logs-") as folder:
            self.client.jobs.download(name, download_path=folder)
            log = Path(folder, "artifacts", "user_logs", "std_log.txt")
            return log.read_text() if log.is_file() else ""

    def cancel(self, name: str) -> None:
        self.client.jobs.begin_cancel(name).result()
