"""Cloud Run v2 for the lessons: deploy a folder as a service from source, split traffic, call it, delete it.

:class:`CloudRun` wraps ``run_v2.ServicesClient`` and ``RevisionsClient`` (REST, from
:func:`gcp_ai_services.session.google_client`): :meth:`deploy` packs the folder as a ``.tar.gz``, uploads it
to the ``run-sources-{project}-{region}`` bucket (as ``gcloud run deploy --source`` does) and creates or
updates the service with ``containers[0].source_code``; :meth:`split` sets the traffic percentages per
revision. In local mode each revision is a process on this machine; with ``CLOUDAI_MODE=cloud`` the same calls
deploy to Cloud Run (which then needs a ``base_image_uri`` for source deploys: pass it in ``container``).
"""

from __future__ import annotations

import io
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client, storage_client

DEPLOY_TIMEOUT_SECONDS = 600
LATEST = "LATEST"


@dataclass(frozen=True)
class DeployedService:
    name: str
    uri: str
    latest_revision: str
    #: revision (short name) -> percent of requests, as the service routes them now
    traffic: dict[str, int]


class CloudRun:
    """Services of one project and region (``settings.gcp.project``, ``location``)."""

    def __init__(self, settings: Settings | None = None, *, location: str = "us-central1") -> None:
        self.settings = settings or get_settings()
        self.location = location
        self.parent = f"projects/{self.settings.gcp.project}/locations/{location}"

    @property
    def client(self) -> Any:
        """The official ``run_v2.ServicesClient``."""
        return google_client("run", self.settings)

    @property
    def source_bucket(self) -> str:
        return f"run-sources-{self.settings.gcp.project}-{self.location}"

    def deploy(
        self,
        service_id: str,
        source_dir: str | Path,
        *,
        environment: dict[str, str] | None = None,
        container: dict[str, Any] | None = None,
    ) -> DeployedService:
        """Create the service from ``source_dir``, or roll out a new revision (all traffic to LATEST)."""
        from google.api_core import exceptions
        from google.cloud import run_v2

        source = self._upload(Path(source_dir), service_id)
        spec = {
            "source_code": {"cloud_storage_source": source},
            "env": [{"name": k, "value": v} for k, v in (environment or {}).items()],
            **(container or {}),
        }
        name = f"{self.parent}/services/{service_id}"
        with google_errors("run.deploy"):
            try:
                current = self.client.get_service(name=name)
            except exceptions.NotFound:
                service = {"template": {"containers": [spec]}}
                operation = self.client.create_service(
                    parent=self.parent, service=service, service_id=service_id
                )
            else:
                current.template.containers[0] = run_v2.Container(spec)
                current.traffic = [run_v2.TrafficTarget(type_=_latest(), percent=100)]
                operation = self.client.update_service(service=current)
            return _deployed(operation.result(timeout=DEPLOY_TIMEOUT_SECONDS))

    def split(self, service_id: str, percents: dict[str, int]) -> DeployedService:
        """Route ``{revision or "LATEST": percent}`` (adding up to 100) to the service's revisions."""
        from google.cloud import run_v2

        with google_errors("run.split"):
            service = self.client.get_service(name=f"{self.parent}/services/{service_id}")
            service.traffic = [
                run_v2.TrafficTarget(type_=_latest(), percent=percent)
                if revision == LATEST
                else run_v2.TrafficTarget(type_=_revision(), revision=revision, percent=percent)
                for revision, percent in percents.items()
            ]
            return _deployed(
                self.client.update_service(service=service).result(timeout=DEPLOY_TIMEOUT_SECONDS)
            )

    def get(self, service_id: str) -> DeployedService:
        with google_errors("run.get"):
            return _deployed(self.client.get_service(name=f"{self.parent}/services/{service_id}"))

    def services(self) -> list[DeployedService]:
        with google_errors("run.list"):
            return [_deployed(s) for s in self.client.list_services(parent=self.parent)]

    def revisions(self, service_id: str) -> list[str]:
        with google_errors("run.revisions"):
            client = google_client("run_revisions", self.settings)
            found = client.list_revisions(parent=f"{self.parent}/services/{service_id}")
            return sorted(r.name.rsplit("/", 1)[-1] for r in found)

    def delete(self, service_id: str) -> None:
        with google_errors("run.delete"):
            self.client.delete_service(name=f"{self.parent}/services/{service_id}").result(
                timeout=DEPLOY_TIMEOUT_SECONDS
            )

    def call(self, service_id: str, payload: Any, *, path: str = "", timeout: float = 120.0) -> Any:
        """POST ``payload`` as JSON to the service's URI (plus ``path``); its JSON answer."""
        import requests

        uri = self.get(service_id).uri
        response = requests.post(f"{uri}{path}", json=payload, timeout=timeout)
        if response.status_code >= 400:
            raise InvalidArgument(
                f"service {service_id} answered HTTP {response.status_code}: {response.text[:500]}",
                provider="gcp",
                operation="run.call",
            )
        return response.json()

    def _upload(self, source_dir: Path, service_id: str) -> dict[str, str]:
        if not source_dir.is_dir():
            raise InvalidArgument(f"{source_dir} is not a folder", provider="gcp", operation="run.deploy")
        gcs = storage_client(self.settings)
        bucket = gcs.bucket(self.source_bucket)
        if not bucket.exists():
            bucket = gcs.create_bucket(self.source_bucket)
        name = f"services/{service_id}/{uuid.uuid4().hex}.tar.gz"
        bucket.blob(name).upload_from_string(tar_folder(source_dir), content_type="application/gzip")
        return {"bucket": self.source_bucket, "object_": name}


def tar_folder(folder: Path) -> bytes:
    """The folder's files as a .tar.gz, paths relative to it (caches and VCS folders left out)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not {"__pycache__", ".git", ".venv"} & set(relative.parts):
                archive.add(path, relative.as_posix())
    return buffer.getvalue()


def _latest() -> Any:
    from google.cloud import run_v2

    return run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST


def _revision() -> Any:
    from google.cloud import run_v2

    return run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


def _deployed(service: Any) -> DeployedService:
    return DeployedService(
        name=service.name,
        uri=service.uri,
        latest_revision=service.latest_ready_revision.rsplit("/", 1)[-1],
        traffic={t.revision: t.percent for t in service.traffic_statuses},
    )
