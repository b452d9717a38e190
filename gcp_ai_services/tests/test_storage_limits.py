"""The local Cloud Storage bounds request bodies (413, Google's error JSON) and cuts off silent clients."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest
from gcp_ai_services.emulator.storage_server import StorageServer
from multi_cloud.emulation.http.ports import LOOPBACK, free_port, wait_for_port


@pytest.fixture
def small_storage() -> Iterator[StorageServer]:
    storage = StorageServer(LOOPBACK, free_port(None), max_body_bytes=1024, read_timeout=0.5)
    storage.start()
    assert wait_for_port(storage.port)
    yield storage
    storage.stop()


def test_a_body_over_the_limit_is_413_in_googles_shape(small_storage: StorageServer) -> None:
    connection = http.client.HTTPConnection(LOOPBACK, small_storage.port, timeout=5)
    connection.request(
        "POST",
        "/upload/storage/v1/b/limits/o?uploadType=media&name=big.bin",
        body=b"x" * 2048,
        headers={"Content-Type": "application/octet-stream"},
    )
    answer = connection.getresponse()
    error = json.loads(answer.read())["error"]
    assert answer.status == 413
    assert (error["code"], error["status"]) == (413, "INVALID_ARGUMENT")
    assert "at most 1024 bytes" in error["message"]


def test_the_official_client_reports_the_limit(
    small_storage: StorageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.api_core import exceptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://{LOOPBACK}:{small_storage.port}")
    client = storage.Client(project="limits", credentials=AnonymousCredentials())
    bucket = client.create_bucket("limits")
    bucket.blob("small.txt").upload_from_string(b"fits")
    with pytest.raises(exceptions.GoogleAPICallError) as caught:
        bucket.blob("big.bin").upload_from_string(b"x" * 4096)
    assert caught.value.code == 413
    assert [blob.name for blob in client.list_blobs("limits")] == ["small.txt"]


def test_a_silent_client_is_cut_off_and_others_are_served(small_storage: StorageServer) -> None:
    silent = socket.create_connection((LOOPBACK, small_storage.port), timeout=5)
    assert silent.recv(1) == b""  # closed by the server's 0.5 s read timeout (ours, 5 s, would raise)
    silent.close()
    connection = http.client.HTTPConnection(LOOPBACK, small_storage.port, timeout=5)
    connection.request("GET", "/storage/v1/b?project=limits")
    assert connection.getresponse().status == 200
