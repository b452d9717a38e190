"""The Azure local cloud for the session (emulator + Azurite), plain Azure clients, and test images."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from multi_cloud.local_cloud.cloud import LocalCloud


@pytest.fixture(scope="session")
def azurite_installed() -> None:
    """Azurite in the user cache: installed here from the npm registry when absent (needs network once)."""
    from azure_ai_services.azurite.install import install_azurite

    install_azurite()


@pytest.fixture(scope="session")
def azure_cloud(azurite_installed: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """The Azure emulator and Azurite on free ports, with their variables exported for the session."""
    from multi_cloud.core.settings import get_settings

    cloud = LocalCloud(["azure", "azurite"], preferred_ports=False)
    assert not cloud.skipped, cloud.skipped
    cloud.start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    try:
        yield cloud
    finally:
        cloud.restore_env(previous)
        get_settings.cache_clear()
        cloud.stop()


@pytest.fixture
def azure_env(azure_cloud: LocalCloud) -> Iterator[dict[str, str]]:
    """The session's variables, exported for this test (another suite's local cloud may have exported its
    own since), with state reset before the test."""
    azure_cloud.reset()
    previous = azure_cloud.apply_env()
    try:
        yield azure_cloud.env()
    finally:
        azure_cloud.restore_env(previous)


@pytest.fixture
def endpoint(azure_env: dict[str, str]) -> str:
    return azure_env["AZURE_AI_SERVICES_ENDPOINT"]


@pytest.fixture
def key(azure_env: dict[str, str]) -> str:
    return azure_env["AZURE_AI_SERVICES_KEY"]


@pytest.fixture
def key_credential(key: str) -> Any:
    from azure.core.credentials import AzureKeyCredential

    return AzureKeyCredential(key)


@pytest.fixture
def computer_vision(endpoint: str, key: str) -> Any:
    """A plain ``ComputerVisionClient``, as Microsoft's quickstart makes it."""
    from azure.cognitiveservices.vision.computervision import ComputerVisionClient
    from msrest.authentication import CognitiveServicesCredentials

    return ComputerVisionClient(endpoint, CognitiveServicesCredentials(key))


@pytest.fixture
def blob_service(azure_env: dict[str, str]) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])


FUNCTION_APP_DIR = os.path.join(os.path.dirname(__file__), "function_apps", "ai_app")


@pytest.fixture(scope="session")
def function_app_zip() -> Any:
    """``zip(extra={name: text})``: the test function app as Kudu receives it (``extra`` overrides files)."""
    import io
    import zipfile
    from pathlib import Path

    def zipped(extra: dict[str, str] | None = None) -> bytes:
        folder, buffer = Path(FUNCTION_APP_DIR), io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in folder.rglob("*"):
                name = path.relative_to(folder).as_posix()
                if path.is_file() and "__pycache__" not in path.parts and name not in (extra or {}):
                    archive.write(path, name)
            for name, text in (extra or {}).items():
                archive.writestr(name, text)
        return buffer.getvalue()

    return zipped


@pytest.fixture
def ml_client_with_cluster(azure_env: dict[str, str]) -> Any:
    """``MLClient`` as Microsoft's docs make it, with a ``cpu-cluster`` compute for the test's jobs."""
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import AmlCompute
    from azure.identity import DefaultAzureCredential

    client = MLClient(DefaultAzureCredential(), "00000000-0000-0000-0000-000000000000", "rg", "ws")
    client.compute.begin_create_or_update(AmlCompute(name="cpu-cluster", max_instances=2)).result()
    return client


@pytest.fixture
def fast_databricks_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """databricks-sdk waits 1 s, 2 s, 3 s... (+ up to 1 s jitter) between polls of a run or a cluster;
    local ones settle in about a second. The same requests go over the wire, at most 0.1 s apart."""
    import time
    import types

    from databricks.sdk.service import compute, jobs

    public = {name: getattr(time, name) for name in dir(time) if not name.startswith("_")}
    quick_time = types.SimpleNamespace(**{**public, "sleep": lambda seconds: time.sleep(min(seconds, 0.1))})
    for module in (compute, jobs):
        monkeypatch.setattr(module, "time", quick_time)


@pytest.fixture(autouse=True)
def fast_azure_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """azure-core waits ``Retry-After`` (1 s here, 10-60 s in Azure) between polls of a long-running
    operation, azure-ai-ml's ``jobs.stream`` 1 s and more; local operations settle sooner. The same requests
    go over the wire, at most 0.1 s apart."""
    from azure.ai.ml.operations import _job_ops_helper
    from azure.core.polling.base_polling import LROBasePolling

    def sleep_briefly(self: Any, delay: float) -> None:
        self._transport.sleep(min(delay, 0.1))

    monkeypatch.setattr(LROBasePolling, "_sleep", sleep_briefly)
    monkeypatch.setattr(_job_ops_helper, "_wait_before_polling", lambda seconds: 0.1)
