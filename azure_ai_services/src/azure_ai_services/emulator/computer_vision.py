"""Computer Vision v3.2 (``/vision/v3.2/...``): analyze, tag, detect, read, computed by the local engines.

What the engines cannot compute (captions, categories, adult content, brands, objects, image type) is
answered with 501 ``NotImplemented`` naming the feature; see the package README's fidelity table.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from azure_ai_services.emulator import images, vision_engines
from azure_ai_services.emulator.colors import color_scheme
from azure_ai_services.emulator.read_operations import ReadOperations
from azure_ai_services.emulator.service_errors import invalid_request, not_computed
from azure_ai_services.emulator.unversioned_routes import PathVersionedRoutes

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.onprem.engines.imaging import DecodedImage
    from werkzeug.wrappers import Request, Response

MAX_IMAGE_BYTES = 4 * 1024 * 1024
MODEL_VERSION = "2021-05-01"
READ_MODEL_VERSION = "2022-04-30"
PREFIX = "/vision/v3.2"
COMPUTED = ("Tags", "Faces", "Color")
NOT_COMPUTED = {
    "Categories": "no offline category taxonomy model",
    "Description": "no offline captioning model",
    "Adult": "no offline content-moderation model",
    "Brands": "no offline logo model",
    "Objects": "no offline object detector (faces are detected: visualFeatures=Faces)",
    "ImageType": "no offline clip-art / line-drawing classifier",
}


class ComputerVision:
    """The v3.2 operations the engines can back."""

    def __init__(self) -> None:
        self.reads = ReadOperations()

    def routes(self) -> PathVersionedRoutes:
        return PathVersionedRoutes(
            {
                ("POST", f"{PREFIX}/analyze"): self.analyze,
                ("POST", f"{PREFIX}/tag"): self.tag,
                ("POST", f"{PREFIX}/detect"): self.detect,
                ("POST", f"{PREFIX}/describe"): self.describe,
                ("POST", f"{PREFIX}/ocr"): self.ocr,
                ("POST", f"{PREFIX}/read/analyze"): self.read,
                ("GET", f"{PREFIX}/read/analyzeResults/{{operationId}}"): self.read_result,
            }
        )

    def analyze(self, request: Request) -> dict[str, Any]:
        features = _features(request.args.get("visualFeatures", ""))
        for feature in features:
            if feature in NOT_COMPUTED:
                raise not_computed(f"visualFeatures={feature}", NOT_COMPUTED[feature])
        if request.args.get("details"):
            raise not_computed("details (Celebrities, Landmarks)", "no offline celebrity or landmark model")
        image = images.decoded(images.image_bytes(request, max_bytes=MAX_IMAGE_BYTES), max_side=1024)
        answer: dict[str, Any] = {}
        if "Tags" in features:
            answer["tags"] = vision_engines.tags(image.pixels)
        if "Faces" in features:
            answer["faces"] = [
                {"faceRectangle": rect}
                for rect in vision_engines.face_rectangles(image.pixels, image.original_size)
            ]
        if "Color" in features:
            from multi_cloud.onprem.engines.image_stats import dominant_colors

            answer["color"] = color_scheme(dominant_colors(image.pixels))
        return {**answer, **_envelope(image)}

    def tag(self, request: Request) -> dict[str, Any]:
        image = images.decoded(images.image_bytes(request, max_bytes=MAX_IMAGE_BYTES), max_side=1024)
        return {"tags": vision_engines.tags(image.pixels), **_envelope(image)}

    def detect(self, request: Request) -> dict[str, Any]:
        raise not_computed("object detection (/detect)", NOT_COMPUTED["Objects"])

    def describe(self, request: Request) -> dict[str, Any]:
        raise not_computed("image descriptions (/describe)", NOT_COMPUTED["Description"])

    def ocr(self, request: Request) -> dict[str, Any]:
        """The synchronous legacy OCR: one region holding every line, boxes as ``"left,top,width,height"``."""
        language = request.args.get("language", "unk")
        if language not in ("unk", "en"):
            raise invalid_request(
                "NotSupportedLanguage", f"the local OCR reads English only, not {language!r}"
            )
        image = images.decoded(images.image_bytes(request, max_bytes=MAX_IMAGE_BYTES), max_side=4096)
        size = image.original_size
        lines: list[dict[str, Any]] = [
            {
                "boundingBox": _rectangle(vision_engines.polygon(line.box, size)),
                "words": [
                    {"boundingBox": _rectangle(vision_engines.polygon(word.box, size)), "text": word.text}
                    for word in words
                ],
            }
            for line, words in vision_engines.read_lines(image.pixels)
        ]
        regions = (
            [{"boundingBox": _union([line["boundingBox"] for line in lines]), "lines": lines}]
            if lines
            else []
        )
        return {
            "language": "en",
            "textAngle": 0.0,
            "orientation": "Up",
            "regions": regions,
            "modelVersion": "2021-04-01",
        }

    def read(self, request: Request) -> Response:
        from werkzeug.wrappers import Response

        data = images.image_bytes(request, max_bytes=500 * 1024 * 1024)
        if data[:4] == b"%PDF":
            raise not_computed("Read on PDF documents", "the offline OCR engines read images only")
        image = images.decoded(data, max_side=4096)
        operation_id = self.reads.start(lambda: _read_result(image))
        location = f"{request.host_url.rstrip('/')}{PREFIX}/read/analyzeResults/{operation_id}"
        return Response(status=202, headers={"Operation-Location": location})

    def read_result(self, request: Request, operationId: str) -> dict[str, Any]:  # noqa: N803 - path name
        return self.reads.get(operationId)


def _features(text: str) -> list[str]:
    known = {name.lower(): name for name in (*COMPUTED, *NOT_COMPUTED)}
    features = [part.strip() for part in text.split(",") if part.strip()]
    if not features:
        return ["Categories"]  # the service's default feature
    unknown = [f for f in features if f.lower() not in known]
    if unknown:
        raise invalid_request(
            "NotSupportedVisualFeature", f"Specified feature type is not valid: {unknown[0]}"
        )
    return [known[f.lower()] for f in features]


def _rectangle(polygon: list[int]) -> str:
    left, top, right, bottom = polygon[0], polygon[1], polygon[4], polygon[5]
    return f"{left},{top},{right - left},{bottom - top}"


def _union(rectangles: list[str]) -> str:
    boxes = [[int(n) for n in box.split(",")] for box in rectangles]
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return f"{left},{top},{right - left},{bottom - top}"


def _envelope(image: DecodedImage) -> dict[str, Any]:
    return {"requestId": str(uuid.uuid4()), "metadata": images.metadata(image), "modelVersion": MODEL_VERSION}


def _read_result(image: DecodedImage) -> dict[str, Any]:
    width, height = image.original_size
    lines = []
    for line, words in vision_engines.read_lines(image.pixels):
        lines.append(
            {
                "boundingBox": vision_engines.polygon(line.box, image.original_size),
                "text": line.text,
                "appearance": {"style": {"name": "other", "confidence": 0.0}},
                "words": [
                    {
                        "boundingBox": vision_engines.polygon(word.box, image.original_size),
                        "text": word.text,
                        "confidence": round(word.confidence / 100, 3),
                    }
                    for word in words
                ],
            }
        )
    page = {"page": 1, "angle": 0.0, "width": width, "height": height, "unit": "pixel", "lines": lines}
    return {"version": "3.2.0", "modelVersion": READ_MODEL_VERSION, "readResults": [page]}
