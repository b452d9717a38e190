"""Cloud Storage over the wire to gcp-storage-emulator: the storage conformance suite and the plain client."""

from __future__ import annotations

import os
from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from google.api_core import exceptions as gx
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from multi_cloud.core.errors import NotFound
from multi_cloud.testing.conformance.storage import StorageConformance


class TestGCSConformance(StorageConformance):
    """The portable storage contract, through GCSStorage and gcp-storage-emulator."""


@pytest.fixture
def client(clean_google: Any) -> Any:
    """A plain storage client: it finds the emulator through STORAGE_EMULATOR_HOST by itself."""
    assert os.environ["STORAGE_EMULATOR_HOST"].startswith("http://127.0.0.1:")
    return storage.Client(project="cloudai-local", credentials=AnonymousCredentials())


def test_plain_client_round_trip_and_md5(client: Any) -> None:
    bucket = client.create_bucket("plain-client")
    blob = bucket.blob("notes/a.txt")
    blob.upload_from_string(b"hello", content_type="text/plain")
    assert bucket.blob("notes/a.txt").download_as_bytes() == b"hello"
    assert [b.name for b in client.list_blobs("plain-client", prefix="notes/")] == ["notes/a.txt"]
    assert bucket.get_blob("notes/a.txt").md5_hash == "XUFAKrxLKna5cZ2REBfFkg=="


def test_missing_objects_are_googles_not_found(client: Any, provider: GCPProvider) -> None:
    client.create_bucket("missing-things")
    with pytest.raises(gx.NotFound):
        client.bucket("missing-things").blob("nope").download_as_bytes()
    with pytest.raises(NotFound) as caught:
        provider.storage.head_object("missing-things", "nope")
    assert caught.value.code == "NOT_FOUND"


def test_uri_is_gs(provider: GCPProvider) -> None:
    assert provider.storage.uri("b", "k/x.csv") == "gs://b/k/x.csv"


def test_a_web_page_cannot_drive_local_cloud_storage(clean_google: Any) -> None:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        os.environ["STORAGE_EMULATOR_HOST"] + "/storage/v1/b?project=cloudai-local",
        headers={"Origin": "https://evil.example"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 403
    assert json.loads(caught.value.read())["error"]["status"] == "PERMISSION_DENIED"
