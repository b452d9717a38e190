"""The client factory: local mode builds REST clients on loopback; cloud mode asks for credentials."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from gcp_ai_services.session import clear_client_cache, google_client, storage_client
from multi_cloud.core.errors import ConfigurationError, PermissionDenied
from multi_cloud.core.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def fresh_clients():  # type: ignore[no-untyped-def]
    clear_client_cache()
    yield
    clear_client_cache()


def test_local_clients_use_rest_at_the_emulator_with_anonymous_credentials(clean_google: Any) -> None:
    import os

    from google.auth.credentials import AnonymousCredentials

    client = google_client("vision")
    assert type(client._transport).__name__.endswith("RestTransport")
    assert client._transport._host == os.environ["CLOUDAI_GCP_ENDPOINT"]
    assert isinstance(client._transport._credentials, AnonymousCredentials)
    assert storage_client().api_endpoint == os.environ["STORAGE_EMULATOR_HOST"]


def test_local_mode_refuses_an_endpoint_off_loopback(
    clean_google: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAI_GCP_ENDPOINT", "https://vision.googleapis.com")
    with pytest.raises(ConfigurationError) as caught:
        google_client("vision")
    assert "127.0.0.1" in str(caught.value) and "CLOUDAI_GCP_ENDPOINT" in str(caught.value)


def test_local_mode_without_a_local_cloud_explains_how_to_start_one(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAI_MODE", "local")
    monkeypatch.delenv("CLOUDAI_GCP_ENDPOINT", raising=False)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError) as caught:
        GCPProvider().vision.detect_faces(b"x")
    assert "cloudai local up" in str(caught.value)
    health = GCPProvider().health()
    assert health.ok is False and health.checks == {"storage": False, "ai-apis": False}


def test_cloud_mode_without_credentials_names_gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    with pytest.raises((PermissionDenied, ConfigurationError)) as caught:
        google_client("language", Settings(mode="cloud"))
    assert "gcloud auth application-default login" in str(caught.value)


def test_importing_the_package_and_provider_imports_no_google_sdk() -> None:
    code = (  # the google / google.cloud namespace packages are loaded at start-up by the SDKs' .pth files
        "import sys; before = set(sys.modules); import gcp_ai_services, gcp_ai_services.client; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('google')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_local_env_prints_what_plain_clients_need(clean_google: Any) -> None:
    from multi_cloud.local_cloud.control import shell_exports  # what `cloudai local env` prints

    exports = shell_exports(clean_google.env()).splitlines()
    assert any(line.startswith("export CLOUDAI_GCP_ENDPOINT=http://127.0.0.1:") for line in exports)
    assert any(line.startswith("export STORAGE_EMULATOR_HOST=http://127.0.0.1:") for line in exports)


def test_both_backends_are_registered_with_the_local_cloud() -> None:
    from multi_cloud.local_cloud.registry import backend_targets

    targets = backend_targets()
    assert targets["gcp"] == "gcp_ai_services.emulator.backend:GCPEmulatorBackend"
    assert targets["gcs"] == "gcp_ai_services.emulator.storage_backend:GCSEmulatorBackend"
