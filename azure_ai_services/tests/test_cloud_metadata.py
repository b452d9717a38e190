"""ARM_CLOUD_METADATA_URL: the metadata document, and MLClient constructed as Microsoft's docs write it."""

from __future__ import annotations

import requests


def test_metadata_document_names_the_local_cloud(azure_env: dict[str, str]) -> None:
    answer = requests.get(azure_env["ARM_CLOUD_METADATA_URL"], timeout=10)
    assert answer.status_code == 200
    (cloud,) = answer.json()
    assert cloud["name"] == "LocalCloud"
    assert cloud["resourceManager"].rstrip("/") == azure_env["CLOUDAI_AZURE_ENDPOINT"]
    assert cloud["suffixes"]["storage"].endswith(".invalid")  # never a real storage account


def test_metadata_without_api_version_is_arms_error(azure_env: dict[str, str]) -> None:
    answer = requests.get(azure_env["CLOUDAI_AZURE_ENDPOINT"] + "/metadata/endpoints", timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "MissingApiVersionParameter"


def test_mlclient_as_written_in_the_docs_points_at_the_local_cloud(azure_env: dict[str, str]) -> None:
    from azure.ai.ml import MLClient
    from azure.identity import DefaultAzureCredential

    ml_client = MLClient(DefaultAzureCredential(), "00000000-0000-0000-0000-000000000000", "rg", "ws")
    assert ml_client._base_url.rstrip("/") == azure_env["CLOUDAI_AZURE_ENDPOINT"]  # noqa: SLF001
