"""Conformance tests for VisionService: real faces, colours, text and labels, and bad-input errors."""

from __future__ import annotations

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.core.types import BoundingBox
from multi_cloud.testing.conformance import media
from multi_cloud.testing.conformance.ai_support import engine_required

RED, BLUE, WHITE, DARK = (230, 20, 20), (20, 40, 220), (250, 250, 250), (15, 15, 15)
OVERSIZE_BYTES = 21 * 1024 * 1024  # above every provider's image limit (Rekognition 15 MB, Vision 20 MB)


def _inside_unit_square(box: BoundingBox) -> bool:
    return 0 <= box.left <= 1 and 0 <= box.top <= 1 and 0 < box.width <= 1 and 0 < box.height <= 1


class VisionConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_finds_the_one_face_in_a_portrait(self, provider: CloudProvider) -> None:
        with engine_required():
            faces = provider.vision.detect_faces(media.portrait_jpeg())
        assert len(faces) == 1
        face = faces[0]
        assert 50 < face.confidence <= 100
        assert _inside_unit_square(face.box)
        # The face sits in the upper middle of the 512x600 portrait.
        centre_x, centre_y = face.box.left + face.box.width / 2, face.box.top + face.box.height / 2
        assert 0.4 < centre_x < 0.7 and 0.2 < centre_y < 0.5
        assert 0.25 < face.box.width < 0.6
        for x, y in face.landmarks.values():
            assert face.box.left <= x <= face.box.left + face.box.width
            assert face.box.top <= y <= face.box.top + face.box.height

    def test_no_faces_in_colour_blocks(self, provider: CloudProvider) -> None:
        with engine_required():
            assert provider.vision.detect_faces(media.colour_blocks_png([(RED, 0.5), (BLUE, 0.5)])) == []

    def test_dominant_colours_follow_the_pixels(self, provider: CloudProvider) -> None:
        image = media.colour_blocks_png([(RED, 0.75), (BLUE, 0.25)], width=400, height=200)
        with engine_required():
            props = provider.vision.image_properties(image)
        assert (props.width, props.height) == (400, 200)
        top, second = props.dominant_colors[0], props.dominant_colors[1]
        assert top.red > 180 and top.blue < 80 and abs(top.pixel_fraction - 0.75) < 0.05
        assert second.blue > 180 and second.red < 80 and abs(second.pixel_fraction - 0.25) < 0.05
        assert abs(sum(c.pixel_fraction for c in props.dominant_colors) - 1.0) < 0.02

    def test_brightness_and_sharpness_are_measured(self, provider: CloudProvider) -> None:
        portrait = media.portrait_jpeg()
        with engine_required():
            light = provider.vision.image_properties(media.colour_blocks_png([(WHITE, 1.0)]))
            dark = provider.vision.image_properties(media.colour_blocks_png([(DARK, 1.0)]))
            sharp = provider.vision.image_properties(portrait)
            blurry = provider.vision.image_properties(media.blurred(portrait))
        assert 0 <= dark.brightness < light.brightness <= 100
        assert 0 <= blurry.sharpness < sharp.sharpness <= 100

    def test_reads_rendered_text(self, provider: CloudProvider) -> None:
        image = media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"])
        with engine_required():
            lines = provider.vision.detect_text(image)
        texts = [line.text.upper() for line in lines]
        assert any("HELLO CLOUD WORLD" in text for text in texts), texts
        assert any("INVOICE 4021" in text for text in texts), texts
        for line in lines:
            assert 0 <= line.confidence <= 100
            assert line.box is not None and _inside_unit_square(line.box)
        hello = next(line for line in lines if "HELLO" in line.text.upper())
        invoice = next(line for line in lines if "INVOICE" in line.text.upper())
        assert hello.box.top < invoice.box.top  # type: ignore[union-attr]

    def test_labels_describe_the_image_or_are_declared_unsupported(self, provider: CloudProvider) -> None:
        portrait = media.portrait_jpeg()
        if not provider.vision.supports("detect_labels"):
            with pytest.raises(Unsupported):
                provider.vision.detect_labels(portrait)
            return
        with engine_required():
            labels = provider.vision.detect_labels(portrait, max_labels=3)
            blocks = provider.vision.detect_labels(media.colour_blocks_png([(RED, 0.5), (BLUE, 0.5)]))
        assert 1 <= len(labels) <= 3
        assert all(0 < label.confidence <= 100 and label.name for label in labels)
        assert [label.confidence for label in labels] == sorted(
            (lb.confidence for lb in labels), reverse=True
        )
        assert not blocks or blocks[0].name != labels[0].name  # computed, not canned

    def test_bad_images_are_invalid_arguments(self, provider: CloudProvider) -> None:
        png = media.colour_blocks_png([(RED, 1.0)])
        cases = {
            "empty": b"",
            "pdf": media.PDF_BYTES,
            "corrupt png": png[:40] + b"\x00" * 60,
            "oversize": b"\xff\xd8\xff" + b"\x00" * OVERSIZE_BYTES,
            "text": b"just some words, not an image",
        }
        for name, data in cases.items():
            for operation in (provider.vision.detect_faces, provider.vision.image_properties):
                try:
                    operation(data)
                except InvalidArgument:
                    continue
                pytest.fail(f"{operation.__name__} accepted the {name} input")
