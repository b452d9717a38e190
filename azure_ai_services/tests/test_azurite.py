"""Azurite from the user cache: Blob and Queue through the plain Azure clients, and the install command."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_blob_round_trip(blob_service: Any) -> None:
    container = blob_service.create_container(_name("data"))
    container.upload_blob("models/model.onnx", b"\x00onnx", metadata={"stage": "dev"})
    blob = container.get_blob_client("models/model.onnx")
    assert blob.download_blob().readall() == b"\x00onnx"
    assert blob.get_blob_properties().metadata == {"stage": "dev"}
    assert [b.name for b in container.list_blobs(name_starts_with="models/")] == ["models/model.onnx"]


def test_missing_container_is_container_not_found(blob_service: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError) as raised:
        blob_service.get_blob_client(_name("nope"), "k").download_blob()
    assert raised.value.error_code == "ContainerNotFound"


def test_creating_a_container_twice_is_container_already_exists(blob_service: Any) -> None:
    from azure.core.exceptions import ResourceExistsError

    name = _name("twice")
    blob_service.create_container(name)
    with pytest.raises(ResourceExistsError) as raised:
        blob_service.create_container(name)
    assert raised.value.error_code == "ContainerAlreadyExists"


def test_queue_send_and_receive(azure_env: dict[str, str]) -> None:
    from azure.storage.queue import QueueClient

    queue = QueueClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"], _name("jobs"))
    queue.create_queue()
    queue.send_message("train model 7")
    (message,) = list(queue.receive_messages())
    assert message.content == "train model 7"


def test_reset_forgets_containers(azure_cloud: Any, blob_service: Any) -> None:
    blob_service.create_container(_name("gone"))
    azure_cloud.reset()
    assert list(blob_service.list_containers()) == []


def test_missing_azurite_names_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure_ai_services.azurite.backend import AzuriteBackend
    from multi_cloud.core.errors import MissingDependency

    monkeypatch.setenv("CLOUDAI_CACHE_DIR", str(tmp_path))
    assert "cloudai local install azurite" in (AzuriteBackend.available() or "")
    with pytest.raises(MissingDependency, match="cloudai local install azurite"):
        AzuriteBackend().start()


def test_npm_failure_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure_ai_services.azurite.install import install_azurite
    from multi_cloud.core.errors import Unavailable

    monkeypatch.setenv("CLOUDAI_CACHE_DIR", str(tmp_path))
    with pytest.raises(Unavailable, match="npm could not install azurite@0.0.0-does-not-exist"):
        install_azurite("0.0.0-does-not-exist")
    assert not (tmp_path / "azurite" / "0.0.0-does-not-exist").exists()


def test_cli_install_is_idempotent(azurite_installed: None) -> None:
    from multi_cloud.cli.main import app
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["local", "install", "azurite"])
    assert result.exit_code == 0, result.output
    assert "azurite installed in" in result.output


def test_azurite_dies_with_the_process_that_started_it(azurite_installed: None, tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    code = (
        "import os\n"
        "from azure_ai_services.azurite.backend import AzuriteBackend\n"
        "b = AzuriteBackend(); b.use_preferred_port = False; b.start()\n"
        "print(b.blob_port, flush=True)\n"
        "os._exit(0)  # no stop(): the children must notice on their own\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    port = int(done.stdout.split()[-1])
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    pytest.fail(f"Azurite still listens on {port} after its parent died")
