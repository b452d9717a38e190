"""The client factory: local mode never reaches real AWS; cloud mode asks for credentials."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.session import aws_client, clear_client_cache
from multi_cloud.core.errors import ConfigurationError, PermissionDenied
from multi_cloud.core.settings import get_settings, load_settings
from multi_cloud.local_cloud.paths import state_paths


@pytest.fixture(autouse=True)
def fresh_clients():  # type: ignore[no-untyped-def]
    clear_client_cache()
    yield
    clear_client_cache()


def test_local_mode_without_a_local_cloud_explains_how_to_start_one(
    state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAI_MODE", "local")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError) as caught:
        AWSProvider().storage.list_buckets()
    message = str(caught.value)
    assert "cloudai local up" in message
    assert 'eval "$(cloudai local env)"' in message
    assert "ensure_running()" in message
    health = AWSProvider().health()
    assert health.ok is False
    assert health.checks == {"s3": False, "sagemaker": False}


def test_local_mode_finds_the_background_local_cloud(
    local_cloud, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A running `cloudai local up` publishes its env in the state dir; the factory picks it up."""
    env = local_cloud.env()
    for key in env:
        monkeypatch.setenv(key, os.environ.get(key, ""))  # restored after the test
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    paths = state_paths(state_dir)
    paths.pid.write_text(str(os.getpid()))  # a live process stands in for the daemon
    paths.state.write_text(json.dumps({"backends": {"moto": {}}, "env": env}))
    get_settings.cache_clear()
    client = aws_client("s3")
    assert client.meta.endpoint_url == env["AWS_ENDPOINT_URL"]
    assert os.environ["AWS_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL"]
    assert AWSProvider().health().ok


@pytest.mark.parametrize(
    "variables",
    [
        {"AWS_ENDPOINT_URL": "https://s3.amazonaws.com"},
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
    ],
)
def test_local_mode_refuses_non_loopback_endpoints(monkeypatch: pytest.MonkeyPatch, variables) -> None:  # type: ignore[no-untyped-def]
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigurationError, match="only talks to the local cloud"):
        aws_client("s3", load_settings(mode="local"))


def test_cloud_mode_without_credentials_is_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(PermissionDenied, match="aws configure") as caught:
        aws_client("sagemaker", load_settings(mode="cloud"))
    assert "AWS_PROFILE" in str(caught.value)


def test_clients_are_reused_per_service(clean_cloud) -> None:  # type: ignore[no-untyped-def]
    assert aws_client("s3") is aws_client("s3")
    assert aws_client("s3") is not aws_client("sagemaker")
