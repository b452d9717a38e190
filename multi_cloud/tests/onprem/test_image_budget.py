"""The pixel budget: engines see a downscaled decode (reduced JPEG/PNG decode), answers stay in fractions."""

from __future__ import annotations

import io

import pytest
from multi_cloud.onprem.engines.faces import detect_faces
from multi_cloud.onprem.engines.imaging import (
    ANALYSIS_MAX_SIDE,
    decode_image,
    image_size,
    reduction_factor,
)
from multi_cloud.onprem.vision import OnPremVision
from multi_cloud.testing.conformance import media
from PIL import Image


def _encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def _portrait(scale: int, kind: str = "JPEG") -> bytes:
    with Image.open(io.BytesIO(media.portrait_jpeg())) as image:
        return _encoded(image.resize((image.width * scale, image.height * scale), Image.BICUBIC), kind)


@pytest.mark.parametrize(
    ("width", "height", "factor"),
    [(8944, 8944, 8), (4096, 3000, 4), (2100, 100, 2), (1024, 1024, 1), (1, 20000, 1), (20000, 9, 8)],
)
def test_the_reduced_decode_keeps_at_least_the_budget(width: int, height: int, factor: int) -> None:
    assert reduction_factor(width, height, ANALYSIS_MAX_SIDE) == factor
    assert reduction_factor(width, height, None) == 1


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_large_image_is_decoded_within_the_budget(kind: str) -> None:
    data = _encoded(Image.new("RGB", (4100, 2050), (10, 200, 30)), kind)
    decoded = decode_image(data, max_side=ANALYSIS_MAX_SIDE)
    assert decoded.pixels.shape == (512, 1024, 3)
    assert decoded.original_size == (4100, 2050) == image_size(data)
    assert decode_image(data).pixels.shape == (2050, 4100, 3)  # no budget: full size, as before


def test_a_one_pixel_strip_keeps_one_pixel() -> None:
    data = _encoded(Image.new("RGB", (1, 9000), (0, 0, 0)), "PNG")
    assert decode_image(data, max_side=ANALYSIS_MAX_SIDE).pixels.shape == (1024, 1, 3)
    assert detect_faces(decode_image(data, max_side=ANALYSIS_MAX_SIDE).pixels) == []


def test_small_images_are_not_touched() -> None:
    assert decode_image(media.portrait_jpeg(), max_side=ANALYSIS_MAX_SIDE).pixels.shape == (600, 512, 3)


def test_face_boxes_are_fractions_whatever_the_decoded_size() -> None:
    (small,) = OnPremVision("onprem").detect_faces(media.portrait_jpeg())
    (large,) = OnPremVision("onprem").detect_faces(_portrait(4))  # 2048x2400, decoded at 1/2 then shrunk
    assert small.box is not None and large.box is not None
    for field in ("left", "top", "width", "height"):
        assert getattr(large.box, field) == pytest.approx(getattr(small.box, field), abs=0.03), field


def test_image_properties_report_the_encoded_size() -> None:
    properties = OnPremVision("onprem").image_properties(_portrait(4, "PNG"))
    assert (properties.width, properties.height) == (2048, 2400)
