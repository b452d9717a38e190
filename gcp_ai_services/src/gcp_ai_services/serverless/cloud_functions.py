"""Cloud Functions v2 for the lessons: deploy a folder holding ``main.py``, call it, trigger it, delete it.

:class:`CloudFunctions` wraps ``functions_v2.FunctionServiceClient`` (REST, from
:func:`gcp_ai_services.session.google_client`): :meth:`deploy` zips the folder, uploads it to the URL
``generate_upload_url`` answers, creates the function and waits for its build; :meth:`call` POSTs JSON to
an HTTP function's URI. In local mode the function runs in Google's functions-framework on this machine;
with ``CLOUDAI_MODE=cloud`` the same calls deploy to Google Cloud.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client

PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
STORAGE_EVENT = "google.cloud.storage.object.v1.finalized"
DEPLOY_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class DeployedFunction:
    name: str
    uri: str
    state: str
    entry_point: str
    memory: str
    timeout_seconds: int
    revision: str = ""


class CloudFunctions:
    """Functions of one project and region (``settings.gcp.project``, ``location``)."""

    def __init__(self, settings: Settings | None = None, *, location: str = "us-central1") -> None:
        self.settings = settings or get_settings()
        self.parent = f"projects/{self.settings.gcp.project}/locations/{location}"

    @property
    def client(self) -> Any:
        """The official ``functions_v2.FunctionServiceClient``."""
        return google_client("functions", self.settings)

    def deploy(
        self,
        function_id: str,
        source_dir: str | Path,
        entry_point: str,
        *,
        runtime: str = "python311",
        memory: str = "256M",
        timeout_seconds: int = 60,
        environment: dict[str, str] | None = None,
        pubsub_topic: str = "",
        bucket: str = "",
    ) -> DeployedFunction:
        """Upload ``source_dir`` (with ``main.py``), create the function: HTTP unless a trigger is given."""
        function: dict[str, Any] = {
            "build_config": {
                "runtime": runtime,
                "entry_point": entry_point,
                "source": {"storage_source": self.upload_source(Path(source_dir))},
            },
            "service_config": {
                "available_memory": memory,
                "timeout_seconds": timeout_seconds,
                "environment_variables": dict(environment or {}),
            },
        }
        if pubsub_topic:
            topic = f"projects/{self.settings.gcp.project}/topics/{pubsub_topic}"
            function["event_trigger"] = {"event_type": PUBSUB_EVENT, "pubsub_topic": topic}
        elif bucket:
            function["event_trigger"] = {
                "event_type": STORAGE_EVENT,
                "event_filters": [{"attribute": "bucket", "value": bucket}],
            }
        with google_errors("functions.deploy"):
            operation = self.client.create_function(
                parent=self.parent, function=function, function_id=function_id
            )
            return _deployed(operation.result(timeout=DEPLOY_TIMEOUT_SECONDS))

    def get(self, function_id: str) -> DeployedFunction:
        with google_errors("functions.get"):
            return _deployed(self.client.get_function(name=f"{self.parent}/functions/{function_id}"))

    def environment(self, function_id: str) -> dict[str, str]:
        """The function's environment variables (``service_config.environment_variables``)."""
        with google_errors("functions.get"):
            function = self.client.get_function(name=f"{self.parent}/functions/{function_id}")
        return dict(function.service_config.environment_variables)

    def list(self) -> list[DeployedFunction]:
        with google_errors("functions.list"):
            return [_deployed(f) for f in self.client.list_functions(parent=self.parent)]

    def delete(self, function_id: str) -> None:
        with google_errors("functions.delete"):
            self.client.delete_function(name=f"{self.parent}/functions/{function_id}").result(
                timeout=DEPLOY_TIMEOUT_SECONDS
            )

    def call(self, function_id: str, payload: Any, *, path: str = "", timeout: float = 120.0) -> Any:
        """POST ``payload`` as JSON to an HTTP function; its JSON answer (its text if not JSON)."""
        import requests

        uri = self.get(function_id).uri
        response = requests.post(f"{uri}{path}", json=payload, timeout=timeout)
        if response.status_code >= 400:
            raise InvalidArgument(
                f"function {function_id} answered HTTP {response.status_code}: {response.text[:500]}",
                provider="gcp",
                operation="functions.call",
            )
        try:
            return response.json()
        except ValueError:
            return response.text

    def update(self, function_id: str, source_dir: str | Path, **changes: Any) -> DeployedFunction:
        """Upload new source (and ``service_config`` fields in ``changes``); the build is a new revision."""
        function: dict[str, Any] = {
            "name": f"{self.parent}/functions/{function_id}",
            "build_config": {"source": {"storage_source": self.upload_source(Path(source_dir))}},
        }
        paths = ["build_config.source"]
        if changes:
            function["service_config"] = changes
            paths += [f"service_config.{field}" for field in changes]
        with google_errors("functions.update"):
            operation = self.client.update_function(function=function, update_mask={"paths": paths})
            return _deployed(operation.result(timeout=DEPLOY_TIMEOUT_SECONDS))

    def upload_source(self, source_dir: Path) -> Any:
        """Zip ``source_dir`` (it must hold ``main.py``) to the URL ``generate_upload_url`` answers."""
        if not (source_dir / "main.py").is_file():
            raise InvalidArgument(
                f"{source_dir} has no main.py: Cloud Functions for Python loads the entry point from main.py",
                provider="gcp",
                operation="functions.deploy",
            )
        import requests

        with google_errors("functions.generate_upload_url"):
            target = self.client.generate_upload_url(request={"parent": self.parent})
        answer = requests.put(
            target.upload_url,
            data=zip_folder(source_dir),
            headers={"content-type": "application/zip"},
            timeout=300,
        )
        answer.raise_for_status()
        return target.storage_source


def zip_folder(folder: Path) -> bytes:
    """The folder's files as a zip, paths relative to it (caches and VCS folders left out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and not {"__pycache__", ".git", ".venv"} & set(relative.parts):
                archive.write(path, relative.as_posix())
    return buffer.getvalue()


def _deployed(function: Any) -> DeployedFunction:
    return DeployedFunction(
        name=function.name,
        uri=function.service_config.uri,
        state=function.state.name,
        entry_point=function.build_config.entry_point,
        memory=function.service_config.available_memory,
        timeout_seconds=function.service_config.timeout_seconds,
        revision=function.service_config.revision,
    )
