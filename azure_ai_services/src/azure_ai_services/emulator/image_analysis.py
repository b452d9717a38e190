"""Image Analysis 4.0 (``/computervision/imageanalysis:analyze``): tags and read, computed by the engines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

from azure_ai_services.emulator import images, vision_engines
from azure_ai_services.emulator.service_errors import invalid_request, not_computed

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.onprem.engines.imaging import DecodedImage
    from werkzeug.wrappers import Request

API_VERSIONS = ("2023-10-01", "2024-02-01")
MODEL_VERSION = "2023-10-01"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
NOT_COMPUTED = {
    "caption": "no offline captioning model",
    "denseCaptions": "no offline captioning model",
    "objects": "no offline object detector",
    "people": "no offline person detector (the face detector finds faces, not bodies)",
    "smartCrops": "no offline saliency model",
}
COMPUTED = ("tags", "read")


def routes() -> AzureRoutes:
    return AzureRoutes(
        {("POST", "/computervision/imageanalysis:analyze"): analyze},
        api_versions=API_VERSIONS,
    )


def analyze(request: Request) -> dict[str, Any]:
    features = _features(request.args.get("features", ""))
    image = images.decoded(images.image_bytes(request, max_bytes=MAX_IMAGE_BYTES), max_side=4096)
    answer: dict[str, Any] = {"modelVersion": MODEL_VERSION, "metadata": _size(image)}
    if "tags" in features:
        from multi_cloud.onprem.engines.imaging import shrink

        answer["tagsResult"] = {"values": vision_engines.tags(shrink(image.pixels, 1024))}
    if "read" in features:
        lines = _lines(image)
        answer["readResult"] = {"blocks": [{"lines": lines}] if lines else []}
    return answer


def _features(text: str) -> list[str]:
    features = [part.strip() for part in text.split(",") if part.strip()]
    if not features:
        raise invalid_request("InvalidParameter", "At least one visual feature must be specified.")
    known = {name.lower(): name for name in (*COMPUTED, *NOT_COMPUTED)}
    for feature in features:
        name = known.get(feature.lower())
        if name is None:
            raise invalid_request("InvalidParameter", f"Invalid visual feature: {feature}")
        if name in NOT_COMPUTED:
            raise not_computed(f"features={name}", NOT_COMPUTED[name])
    return [known[f.lower()] for f in features]


def _size(image: DecodedImage) -> dict[str, int]:
    width, height = image.original_size
    return {"width": width, "height": height}


def _points(numbers: list[int]) -> list[dict[str, int]]:
    return [{"x": numbers[i], "y": numbers[i + 1]} for i in range(0, 8, 2)]


def _lines(image: DecodedImage) -> list[dict[str, Any]]:
    size = image.original_size
    return [
        {
            "text": line.text,
            "boundingPolygon": _points(vision_engines.polygon(line.box, size)),
            "words": [
                {
                    "text": word.text,
                    "boundingPolygon": _points(vision_engines.polygon(word.box, size)),
                    "confidence": round(word.confidence / 100, 3),
                }
                for word in words
            ],
        }
        for line, words in vision_engines.read_lines(image.pixels)
    ]
