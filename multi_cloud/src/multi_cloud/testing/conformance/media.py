"""Test media for the AI conformance suites: a public-domain portrait, plus images generated in code."""

from __future__ import annotations

import io
from collections.abc import Sequence
from importlib import resources

ASSETS = "multi_cloud.testing.conformance"
RGB = tuple[int, int, int]


def portrait_jpeg() -> bytes:
    """A 512x600 JPEG portrait with one frontal face (Grace Hopper, public domain; see assets/README.md)."""
    return resources.files(ASSETS).joinpath("assets/grace_hopper.jpg").read_bytes()


def _png(image: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # type: ignore[attr-defined]
    return buffer.getvalue()


def colour_blocks_png(blocks: Sequence[tuple[RGB, float]], *, width: int = 400, height: int = 200) -> bytes:
    """Vertical stripes of solid colour; each block's share of the width is its fraction."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    left = 0.0
    for colour, fraction in blocks:
        right = left + fraction * width
        draw.rectangle([round(left), 0, round(right) - 1, height], fill=colour)
        left = right
    return _png(image)


def text_png(lines: Sequence[str], *, size: int = 40, width: int = 800) -> bytes:
    """Black text on white, one line per entry, in Pillow's bundled font (no system fonts needed)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=size)
    line_height = int(size * 1.8)
    image = Image.new("RGB", (width, line_height * len(lines) + size), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((size // 2, size // 2 + index * line_height), line, fill="black", font=font)
    return _png(image)


def blurred(image_bytes: bytes, *, radius: float = 6.0) -> bytes:
    """The image re-encoded as PNG after a Gaussian blur."""
    from PIL import Image, ImageFilter

    with Image.open(io.BytesIO(image_bytes)) as image:
        return _png(image.convert("RGB").filter(ImageFilter.GaussianBlur(radius)))


def truncated(image_bytes: bytes, *, keep: float = 0.5) -> bytes:
    """The first ``keep`` share of an encoded image: a damaged file."""
    return image_bytes[: int(len(image_bytes) * keep)]


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
