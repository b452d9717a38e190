"""Cloud Vision's ``Image`` message: inline ``content`` or a ``gs://`` source, decoded under a pixel budget.

``source.gcsImageUri`` / ``source.imageUri`` with ``gs://`` are read from the local Cloud Storage
(:mod:`.gcs_objects`); an ``https://`` image would be fetched from the web, which the offline local cloud
does not do: that image is ``UNIMPLEMENTED``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.wire import content_bytes, invalid, member, unimplemented

#: Vision's limit for an image file (the JSON request itself is limited to 10 MB by the HTTP server)
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: the formats of Vision's list (JPEG, PNG, GIF, BMP, WEBP, RAW, ICO, PDF, TIFF) the engines decode
FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")


def image_bytes(request: dict[str, Any], index: int) -> bytes:
    """The encoded bytes of request ``index``'s image; a per-image error when they cannot be had."""
    image = member(request, "image", f"requests[{index}].image")
    source = member(image, "source", f"requests[{index}].image.source")
    if image.get("content"):
        data = content_bytes(image, "content", f"requests[{index}].image.content")
        if len(data) > MAX_IMAGE_BYTES:
            raise invalid(f"Image size ({len(data):,} bytes) exceeds the limit of {MAX_IMAGE_BYTES:,} bytes.")
        return data
    uri = str(source.get("gcsImageUri") or source.get("imageUri") or "")
    if uri.startswith("gs://"):
        data = read_object(uri, MAX_IMAGE_BYTES)
        if len(data) > MAX_IMAGE_BYTES:
            raise invalid(f"Image size of {uri} exceeds the limit of {MAX_IMAGE_BYTES:,} bytes.")
        return data
    if uri:
        raise unimplemented(f"image.source {uri!r}", "the local cloud is offline: it reads only gs:// images")
    raise invalid("No image content or image source was provided.")


def decode(data: bytes, max_side: int) -> Any:
    """The decoded image (pixels under ``max_side``, original size kept); ``Bad image data.`` otherwise."""
    from multi_cloud.onprem.engines.imaging import decode_image, sniff_format

    kind = sniff_format(data[:4096])
    if kind not in FORMATS:
        described = "not a recognised image" if kind == "unknown" else kind
        raise GoogleError("INVALID_ARGUMENT", f"Bad image data: the input is {described}.")
    try:
        return decode_image(data, max_side=max_side)
    except InvalidArgument as exc:
        raise GoogleError("INVALID_ARGUMENT", f"Bad image data: {exc.message}") from exc
