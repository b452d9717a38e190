"""Decode encoded image bytes for the vision engines: format sniffing, size limits, clear errors."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.onprem.engines.engine_imports import OPENCV_INSTALL, import_engine

#: Largest encoded image accepted, in bytes (Rekognition's bound for images read from S3).
MAX_IMAGE_BYTES = 15 * 1024 * 1024
#: Largest decoded image accepted, in pixels (guards against decompression bombs).
MAX_IMAGE_PIXELS = 80_000_000
#: Formats this provider decodes.
SUPPORTED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")

# (magic prefix, offset, name); names that are not in SUPPORTED_FORMATS describe what the input is instead.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"%PDF", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a ZIP archive"),
    (b"\x1f\x8b", 0, "gzip-compressed data"),
    (b"ID3", 0, "MP3 audio"),
    (b"fLaC", 0, "FLAC audio"),
    (b"OggS", 0, "Ogg media"),
    (b"\x00\x00\x01\x00", 0, "a Windows icon (ICO)"),
    (b"8BPS", 0, "a Photoshop document"),
)


@dataclass(frozen=True)
class DecodedImage:
    """An image as an OpenCV BGR uint8 array, with the format it was decoded from."""

    pixels: Any  # numpy.ndarray, shape (height, width, 3), BGR
    format: str

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def sniff_format(data: bytes) -> str:
    """Name the format of ``data`` from its magic bytes ("JPEG", "PNG", ..., or a description)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "WAV audio"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC image"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "an MP4/QuickTime media file"
    for magic, offset, name in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return name
    head = data[:256].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()):
        return "an SVG drawing (vector graphics must be rasterised first)"
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML document"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def decode_image(data: bytes) -> DecodedImage:
    """Decode ``data`` to BGR pixels or raise InvalidArgument naming what is wrong and what is accepted."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidArgument(f"image must be encoded bytes (JPEG, PNG, ...), not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise InvalidArgument("image is empty (0 bytes); send the encoded image file's bytes")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidArgument(
            f"image is {len(data):,} bytes, over the {MAX_IMAGE_BYTES:,}-byte limit; resize or recompress it"
        )
    kind = sniff_format(data)
    accepted = ", ".join(SUPPORTED_FORMATS)
    if kind not in SUPPORTED_FORMATS:
        if kind == "unknown":
            raise InvalidArgument(
                f"input is not a recognised image (starts with {data[:8].hex(' ')}); accepted: {accepted}"
            )
        raise InvalidArgument(f"input is {kind}, not an image this provider decodes; accepted: {accepted}")
    _check_dimensions(data, kind)
    if kind == "JPEG" and b"\xff\xd9" not in data[-65536:]:
        raise InvalidArgument("corrupt JPEG data: the file is truncated (no end-of-image marker)")
    pixels = _decode_with_opencv(data) if kind != "GIF" else None
    if pixels is None:
        pixels = _decode_with_pillow(data, kind)
    return DecodedImage(pixels=pixels, format=kind)


def _check_dimensions(data: bytes, kind: str) -> None:
    pil_image = import_engine("PIL.Image", "pip install pillow", purpose="image decoding")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pil_image.DecompressionBombWarning)
            with pil_image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except pil_image.DecompressionBombError as exc:
        raise InvalidArgument(f"image is over the {MAX_IMAGE_PIXELS:,}-pixel limit ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - any parse failure means a damaged file
        raise InvalidArgument(f"corrupt {kind} data: {exc}") from exc
    if width <= 0 or height <= 0:
        raise InvalidArgument(f"corrupt {kind} data: image has no pixels ({width}x{height})")
    if width * height > MAX_IMAGE_PIXELS:
        raise InvalidArgument(
            f"image is {width}x{height} pixels, over the {MAX_IMAGE_PIXELS:,}-pixel limit; resize it first"
        )


def _decode_with_opencv(data: bytes) -> Any:
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="image decoding")
    import numpy as np

    return cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)


def _decode_with_pillow(data: bytes, kind: str) -> Any:
    import numpy as np

    pil_image = import_engine("PIL.Image", "pip install pillow", purpose="image decoding")
    try:
        with pil_image.open(io.BytesIO(data)) as image:
            rgb = np.asarray(image.convert("RGB"))
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a damaged file
        raise InvalidArgument(f"corrupt {kind} data: {exc}") from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])
