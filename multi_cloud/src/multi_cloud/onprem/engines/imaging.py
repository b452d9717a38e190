"""Decode encoded image bytes for the vision engines: format sniffing, size limits, a pixel budget."""

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
#: Longest side the engines that do not need full resolution work at (faces, labels, image properties).
ANALYSIS_MAX_SIDE = 1024
#: Longest side OCR works at (small print needs more pixels than a face or a label).
OCR_MAX_SIDE = 4096
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
    #: the encoded image's own size; ``pixels`` is smaller when decoded under a ``max_side`` budget
    original_size: tuple[int, int] = (0, 0)  # (width, height)

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


def decode_image(data: bytes, *, max_side: int | None = None) -> DecodedImage:
    """Decode ``data`` to BGR pixels or raise InvalidArgument naming what is wrong and what is accepted.

    With ``max_side`` the pixels are at most that long a side, decoded with OpenCV's
    ``IMREAD_REDUCED_COLOR_2/4/8``: JPEG at 1/2, 1/4 or 1/8 scale in the DCT domain (the full-size image
    never exists); PNG and the others once at full size as uint8 (libpng has no scaled decode), reduced
    in place; then shrunk (``INTER_AREA``) to ``max_side`` before any engine computes on them.
    """
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
    width, height = _check_dimensions(data, kind)
    if kind == "JPEG" and b"\xff\xd9" not in data[-65536:]:
        raise InvalidArgument("corrupt JPEG data: the file is truncated (no end-of-image marker)")
    factor = reduction_factor(width, height, max_side)
    pixels = _decode_with_opencv(data, factor) if kind != "GIF" else None
    if pixels is None:
        pixels = _decode_with_pillow(data, kind)
    if max_side is not None:
        pixels = shrink(pixels, max_side)
    return DecodedImage(pixels=pixels, format=kind, original_size=(width, height))


def reduction_factor(width: int, height: int, max_side: int | None) -> int:
    """The largest of 1, 2, 4, 8 that keeps the longest side at least ``max_side`` and every side >= 1."""
    factor = 1
    while max_side is not None and factor < 8:
        if max(width, height) // (factor * 2) < max_side or min(width, height) // (factor * 2) < 1:
            break
        factor *= 2
    return factor


def shrink(pixels: Any, max_side: int) -> Any:
    """``pixels`` scaled (area averaging) so the longest side is at most ``max_side``; each side >= 1."""
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return pixels
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="image decoding")
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def image_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` from the header alone (nothing decoded); InvalidArgument for damaged data."""
    return _check_dimensions(data, sniff_format(data[:4096]))


def _check_dimensions(data: bytes, kind: str) -> tuple[int, int]:
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
    return int(width), int(height)


_REDUCED = {
    1: "IMREAD_COLOR",
    2: "IMREAD_REDUCED_COLOR_2",
    4: "IMREAD_REDUCED_COLOR_4",
    8: "IMREAD_REDUCED_COLOR_8",
}


def _decode_with_opencv(data: bytes, factor: int = 1) -> Any:
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="image decoding")
    import numpy as np

    try:
        return cv2.imdecode(np.frombuffer(data, dtype=np.uint8), getattr(cv2, _REDUCED[factor]))
    except cv2.error as exc:
        raise InvalidArgument(f"corrupt image data: {exc}") from exc


def _decode_with_pillow(data: bytes, kind: str) -> Any:
    import numpy as np

    pil_image = import_engine("PIL.Image", "pip install pillow", purpose="image decoding")
    try:
        with pil_image.open(io.BytesIO(data)) as image:
            rgb = np.asarray(image.convert("RGB"))
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a damaged file
        raise InvalidArgument(f"corrupt {kind} data: {exc}") from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])
