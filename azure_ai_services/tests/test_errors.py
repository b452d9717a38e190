"""One table maps Azure SDK exceptions to multi_cloud errors; ``code`` keeps Azure's own code."""

from __future__ import annotations

from typing import Any

import pytest
from azure_ai_services.errors import azure_errors
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied, Unsupported


def test_blob_not_found_keeps_its_code(blob_service: Any) -> None:
    with pytest.raises(NotFound) as raised, azure_errors("storage.get_object"):
        blob_service.get_blob_client("no-such-container", "k").download_blob()
    assert raised.value.code == "ContainerNotFound"
    assert (raised.value.provider, raised.value.operation) == ("azure", "storage.get_object")


def test_container_exists_is_already_exists(blob_service: Any) -> None:
    blob_service.create_container("twice-here")
    with pytest.raises(AlreadyExists) as raised, azure_errors("storage.create_bucket"):
        blob_service.create_container("twice-here")
    assert raised.value.code == "ContainerAlreadyExists"


def test_msrest_vision_errors_are_mapped(computer_vision: Any) -> None:
    import io

    with pytest.raises(InvalidArgument) as raised, azure_errors("vision.analyze"):
        computer_vision.analyze_image_in_stream(io.BytesIO(b"not an image"), visual_features=["Faces"])
    assert raised.value.code == "InvalidRequest"


def test_not_implemented_is_unsupported(computer_vision: Any) -> None:
    import io

    from multi_cloud.testing.conformance import media

    with pytest.raises(Unsupported) as raised, azure_errors("vision.analyze"):
        computer_vision.analyze_image_in_stream(io.BytesIO(media.portrait_jpeg()), visual_features=["Adult"])
    assert raised.value.code == "NotImplemented"


def test_a_wrong_key_is_permission_denied(endpoint: str) -> None:
    from azure.ai.textanalytics import TextAnalyticsClient
    from azure.core.credentials import AzureKeyCredential

    client = TextAnalyticsClient(endpoint=endpoint, credential=AzureKeyCredential("0" * 32))
    with pytest.raises(PermissionDenied), azure_errors("language.sentiment"):
        client.analyze_sentiment(["hello"])
