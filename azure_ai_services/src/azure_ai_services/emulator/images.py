"""The image of a Vision request: raw bytes or ``{"url"}``, checked as the Azure services check it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import InvalidArgument

from azure_ai_services.emulator.service_errors import invalid_request

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.onprem.engines.imaging import DecodedImage
    from werkzeug.wrappers import Request

#: Computer Vision and Image Analysis accept images under 4 MB (v3.2) / 20 MB (4.0), at least 50x50 pixels
MIN_SIDE = 50
MAX_SIDE = 16_000


def image_bytes(request: Request, *, max_bytes: int) -> bytes:
    """The request's image: an upload, or InvalidImageUrl for a URL (the emulator downloads nothing)."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = request.get_json(silent=True, force=True)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str) or not body["url"]:
            raise invalid_request("InvalidImageUrl", "Image URL is badly formatted.")
        raise invalid_request(
            "InvalidImageUrl",
            "the local emulator does not download images from URLs (it works offline): send the image "
            "bytes instead (analyze_image_in_stream / ImageAnalysisClient.analyze).",
        )
    data = request.get_data(cache=True)
    if not data:
        raise invalid_request("InvalidImageFormat", "Input data is not a valid image.")
    if len(data) > max_bytes:
        raise invalid_request("InvalidImageSize", f"The input image is too large: over {max_bytes:,} bytes.")
    return data


def decoded(data: bytes, *, max_side: int) -> DecodedImage:
    """Pixels (at most ``max_side`` a side) and the original size; Azure's codes for bad images."""
    from multi_cloud.onprem.engines.imaging import decode_image

    try:
        image = decode_image(data, max_side=max_side)
    except InvalidArgument as exc:
        raise invalid_request(
            "InvalidImageFormat", f"Input data is not a valid image: {exc.message}"
        ) from exc
    width, height = image.original_size
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise invalid_request(
            "InvalidImageSize",
            f"Image must be at least {MIN_SIDE} pixels and at most {MAX_SIDE} pixels in width and height; "
            f"it is {width}x{height}.",
        )
    return image


def metadata(image: DecodedImage) -> dict[str, Any]:
    width, height = image.original_size
    return {"width": width, "height": height, "format": image.format.capitalize()}
