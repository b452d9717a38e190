"""The local Azure ML service: resources, the Azurite blob store and the command jobs of every workspace."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml import catalog
from azure_ai_services.emulator.azure_ml.batch import BatchEndpoints
from azure_ai_services.emulator.azure_ml.jobs import JobBook, JobRecord
from azure_ai_services.emulator.azure_ml.online import OnlineEndpoints
from azure_ai_services.emulator.azure_ml.resources import ResourceStore, Scope, arm_resource
from azure_ai_services.emulator.azure_ml.storage import BlobStore

JOB_TYPES = ("Command", "Sweep", "Pipeline")
JOB_OUTPUT = re.compile(r"^azureml://jobs/(?P<job>[^/]+)/outputs/(?P<output>[^/]+)(/paths/(?P<path>.*))?$")


@dataclass
class AzureML:
    """What Azure ML remembers; :meth:`reset` stops the jobs and forgets everything."""

    resources: ResourceStore = field(default_factory=ResourceStore)
    jobs: JobBook = field(default_factory=JobBook)
    blobs: BlobStore = field(default_factory=BlobStore)
    online: OnlineEndpoints = field(init=False)
    batch: BatchEndpoints = field(init=False)

    def __post_init__(self) -> None:
        self.online = OnlineEndpoints(self)
        self.batch = BatchEndpoints(self)

    def use_tls(self, cert_file: Path, key_file: Path) -> None:
        self.blobs.cert_file, self.blobs.key_file = cert_file, key_file

    def container_name(self, scope: Scope) -> str:
        digest = hashlib.sha256(scope.id.lower().encode()).hexdigest()[:24]
        return f"azureml-blobstore-{digest}"

    def locate(self, uri: str, scope: Scope) -> tuple[str, str]:
        """(container, blob name) of ``azureml://datastores/.../paths/P`` or an Azurite blob URL (through the
        TLS front, or Azurite's own ``BlobEndpoint``: the storage capability's URIs)."""
        if uri.startswith("azureml://") and "/datastores/" in uri and "/paths/" in uri:
            return self.container_name(scope), unquote(uri.split("/paths/", 1)[1])
        job_output = JOB_OUTPUT.match(uri)
        if job_output is not None:  # azureml://jobs/<job>/outputs/<name|artifacts>/paths/<path>
            return self.locate(self.job_output_uri(scope, *job_output.group("job", "output", "path")), scope)
        asset = re.search(r"/data/(?P<name>[^/]+)/versions/(?P<version>[^/]+)$", uri)
        if asset is not None:  # a data asset's ARM id: where its dataUri points
            data = self.resources.get(scope, "data", asset.group("name"), asset.group("version"))
            return self.locate(str(data["properties"].get("dataUri", "")), scope)
        account = f"/{self.blobs.account}/"
        azurite = (
            self.blobs.blob_endpoint().rstrip("/") + "/"
        )  # Azurite's own URL, as BlobServiceClient has it
        if (uri.startswith("https://127.0.0.1:") or uri.startswith(azurite)) and account in uri:
            container, _, path = uri.split("?", 1)[0].split(account, 1)[1].partition("/")
            return container, unquote(path)
        raise AzureError(400, "UserError", f"'{uri}' is not in the local cloud's blob storage")

    def job_output_uri(self, scope: Scope, job: str, output: str, path: str | None) -> str:
        """The datastore URI of a job's output (``artifacts``: its ``./outputs`` and logs) plus ``path``."""
        from azure_ai_services.emulator.azure_ml.execution import run_prefix

        record = self.jobs.get(scope, job)
        if output in ("artifacts", "default"):
            base = f"azureml://datastores/workspaceblobstore/paths/{run_prefix(record.name)}/"
        elif output in record.outputs:
            base = record.outputs[output]
        else:
            raise AzureError(
                400,
                "UserError",
                f"Job '{job}' has no output '{output}' "
                f"(outputs: {', '.join(['artifacts', *record.outputs])}).",
            )
        return base.rstrip("/") + "/" + (path or "").lstrip("/")

    def start_pending_upload(self, scope: Scope, kind: str, name: str, version: str) -> dict[str, Any]:
        """A fresh container and a SAS to it, where the SDK uploads an asset's files."""
        container = f"{kind[:4]}-{uuid.uuid4().hex}"
        self.blobs.container(container)
        blob_uri = f"https://127.0.0.1:{self.blobs.front_port()}/{self.blobs.account}/{container}"
        return {
            "blobReferenceForConsumption": {
                "blobUri": blob_uri,
                "storageAccountArmId": f"/subscriptions/{scope.subscription}/resourceGroups/{scope.group}"
                f"/providers/Microsoft.Storage/storageAccounts/{self.blobs.account}",
                "credential": {"credentialType": "SAS", "sasUri": f"{blob_uri}?{self.blobs.sas(container)}"},
            },
            "pendingUploadId": container,
            "pendingUploadType": "TemporaryBlobReference",
        }

    def curated_environment(self, scope: Scope, name: str, version: str) -> dict[str, Any]:
        catalog.check_environment(name)
        properties = {
            "image": f"mcr.microsoft.com/azureml/curated/{name.lower()}:{version}",
            "isAnonymous": False,
        }
        return arm_resource(scope, "environments", name, properties, version)

    def submit_job(
        self, scope: Scope, name: str, properties: dict[str, Any], tracking_uri: str = ""
    ) -> dict[str, Any]:

        job_type = str(properties.get("jobType", ""))
        if job_type not in JOB_TYPES:
            raise AzureError(
                501 if job_type else 400,
                "NotImplemented" if job_type else "UserError",
                f"the local emulator runs {', '.join(JOB_TYPES)} jobs, not '{job_type}'"
                if job_type
                else "A job needs properties.jobType.",
            )
        runner = self._runner(scope, job_type, properties)
        compute = str(properties.get("computeId") or "").rstrip("/").split("/")[-1]
        if compute and self.resources.find(scope, "computes", compute) is None:
            raise AzureError(
                400, "UserError", f"Compute '{compute}' was not found in workspace {scope.workspace}."
            )
        properties.setdefault("experimentName", "Default")
        record = JobRecord(scope, name, properties, tracking_uri=tracking_uri)
        self.jobs.add(record)
        self.jobs.runs.submit(record.key, "azureml", lambda control: runner(self, record, control).run())
        return record.resource()

    def _runner(self, scope: Scope, job_type: str, properties: dict[str, Any]) -> Any:
        """The class that runs a job of ``job_type``, after checking what the service checks."""
        from azure_ai_services.emulator.azure_ml.execution import CommandRun
        from azure_ai_services.emulator.azure_ml.sweep import SweepRun, check_sweep

        if job_type == "Pipeline":
            from azure_ai_services.emulator.azure_ml.pipeline import PipelineRun, check_pipeline

            check_pipeline(self, scope, properties)
            return PipelineRun
        if job_type == "Sweep":
            check_sweep(properties)
            catalog.check_environment(str((properties.get("trial") or {}).get("environmentId", "")))
            return SweepRun
        if not properties.get("command"):
            raise AzureError(400, "UserError", "A command job needs properties.command.")
        catalog.check_environment(str(properties.get("environmentId", "")))
        return CommandRun

    def reset(self) -> None:
        self.online.reset()
        self.batch.reset()
        self.jobs.reset()
        self.resources.reset()

    def close(self) -> None:
        self.online.reset()
        self.jobs.reset()
        self.blobs.close()
