"""The client factory: local mode finds the local cloud and refuses real endpoints; cloud mode needs keys."""

from __future__ import annotations

import pytest
from azure_ai_services.clients import ai_services_endpoint, blob_service
from multi_cloud.core.errors import ConfigurationError, PermissionDenied
from multi_cloud.core.settings import Settings


def test_local_mode_uses_the_emulator(azure_env: dict[str, str]) -> None:
    assert ai_services_endpoint(Settings(mode="local")) == azure_env["CLOUDAI_AZURE_ENDPOINT"]
    assert blob_service(Settings(mode="local")).url.startswith("http://127.0.0.1:")


def test_local_mode_refuses_a_real_endpoint(
    azure_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_AI_SERVICES_ENDPOINT", "https://myresource.cognitiveservices.azure.com/")
    with pytest.raises(ConfigurationError, match="local mode refused"):
        ai_services_endpoint(Settings(mode="local"))


def test_local_mode_without_a_local_cloud_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.delenv("CLOUDAI_AZURE_ENDPOINT", raising=False)
    with pytest.raises(ConfigurationError, match="cloudai local up"):
        ai_services_endpoint(Settings(mode="local", state_dir=str(tmp_path)))  # type: ignore[arg-type]


def test_cloud_mode_without_a_key_names_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_AI_SERVICES_KEY", raising=False)
    monkeypatch.setenv("AZURE_AI_SERVICES_ENDPOINT", "https://myresource.cognitiveservices.azure.com/")
    with pytest.raises(PermissionDenied, match="AZURE_AI_SERVICES_KEY"):
        ai_services_endpoint(Settings(mode="cloud"))


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, azure_ai_services, azure_ai_services.client; "
        "print([m for m in sys.modules if m.startswith('azure.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
