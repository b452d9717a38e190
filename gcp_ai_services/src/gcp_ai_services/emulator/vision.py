"""Cloud Vision ``images:annotate``, computed by the on-prem engines (OpenCV, EfficientNet-Lite0, RapidOCR).

Each image of the batch is answered on its own: a bad image, or a feature no offline engine computes, is
that image's ``error`` (a ``google.rpc.Status``), as Vision reports per-image failures; the batch itself fails
only when the request is malformed. Geometry is in pixels of the original image (``boundingPoly``).

* FACE_DETECTION: Haar cascade boxes, eye landmarks, ``rollAngle`` from the eye line; the likelihoods
  (joy, sorrow, headwear...) need a face-analysis model and are ``UNKNOWN``, Vision's own "not known".
* LABEL_DETECTION: ImageNet classes (no Knowledge Graph ``mid``); ``score`` and ``topicality`` 0..1.
* TEXT_DETECTION / DOCUMENT_TEXT_DETECTION: the whole text first, then each word; ``fullTextAnnotation``
  carries the text and page size (no block/paragraph/symbol tree).
* IMAGE_PROPERTIES: dominant colours (k-means) with pixel fractions.
* Everything else (objects, landmarks, logos, safe search, crop hints, web, products) answers that image
  with ``UNIMPLEMENTED`` and the reason in :data:`NOT_COMPUTED`.
"""

from __future__ import annotations

import math
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.google.errors import GoogleError, error_from_cloud_error
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator import vision_image
from gcp_ai_services.emulator.quotas import Quotas, consumer
from gcp_ai_services.emulator.wire import enum_field, invalid

SERVICE = "vision.googleapis.com"
MAX_IMAGES_PER_REQUEST = 16
DEFAULT_MAX_RESULTS = 10
#: Feature.Type, numbered as in the proto
FEATURE_NUMBERS = {
    "TYPE_UNSPECIFIED": 0,
    "FACE_DETECTION": 1,
    "LANDMARK_DETECTION": 2,
    "LOGO_DETECTION": 3,
    "LABEL_DETECTION": 4,
    "TEXT_DETECTION": 5,
    "DOCUMENT_TEXT_DETECTION": 11,
    "SAFE_SEARCH_DETECTION": 6,
    "IMAGE_PROPERTIES": 7,
    "CROP_HINTS": 9,
    "WEB_DETECTION": 10,
    "PRODUCT_SEARCH": 12,
    "OBJECT_LOCALIZATION": 19,
}
NOT_COMPUTED = {
    "OBJECT_LOCALIZATION": "EfficientNet-Lite0 classifies the whole image; no offline object detector "
    "installs from PyPI without PyTorch",
    "LANDMARK_DETECTION": "recognising landmarks needs Google's landmark index, which has no offline copy",
    "LOGO_DETECTION": "recognising logos needs Google's logo index, which has no offline copy",
    "SAFE_SEARCH_DETECTION": "no offline content-safety classifier is installed",
    "CROP_HINTS": "crop hints need a saliency model that is not installed offline",
    "WEB_DETECTION": "web detection searches the web; the local cloud is offline",
    "PRODUCT_SEARCH": "product search needs product sets, which the local cloud does not hold yet",
}
LIKELIHOOD_UNKNOWN = "UNKNOWN"
LIKELIHOODS = (
    "joyLikelihood",
    "sorrowLikelihood",
    "angerLikelihood",
    "surpriseLikelihood",
    "underExposedLikelihood",
    "blurredLikelihood",
    "headwearLikelihood",
)
LANDMARKS = {"eyeLeft": "LEFT_EYE", "eyeRight": "RIGHT_EYE"}


class VisionAPI:
    """``images:annotate`` at Vision's three REST paths."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        for template in (
            "/v1/images:annotate",
            "/v1/{parent=projects/*}/images:annotate",
            "/v1/{parent=projects/*/locations/*}/images:annotate",
        ):
            routes.add("POST", template, self.annotate)
        return routes

    def annotate(self, request: Any, parent: str = "") -> dict[str, Any]:
        body = json_body(request)
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise invalid("No requests specified: 'requests' must hold at least one AnnotateImageRequest.")
        if len(requests) > MAX_IMAGES_PER_REQUEST:
            raise invalid(
                f"Too many images per request: {len(requests)} (the limit is {MAX_IMAGES_PER_REQUEST})."
            )
        features = [_features(item, index) for index, item in enumerate(requests)]
        self.quotas.charge(SERVICE, consumer(request, parent))
        return {
            "responses": [
                _answer(item, index, wanted)
                for index, (item, wanted) in enumerate(zip(requests, features, strict=True))
            ]
        }


def _features(item: Any, index: int) -> list[tuple[str, int]]:
    """(feature type, maxResults) pairs; a malformed feature fails the whole batch, as in Vision."""
    if not isinstance(item, dict):
        raise invalid(f"Invalid value at 'requests[{index}]': expected an AnnotateImageRequest object.")
    features = item.get("features")
    if not isinstance(features, list) or not features:
        raise invalid(f"requests[{index}]: at least one feature is required.")
    found = []
    for number, feature in enumerate(features):
        path = f"requests[{index}].features[{number}]"
        if not isinstance(feature, dict):
            raise invalid(f"Invalid value at '{path}': expected a Feature object.")
        kind = enum_field(feature, "type", FEATURE_NUMBERS, "TYPE_UNSPECIFIED", f"{path}.type")
        if kind == "TYPE_UNSPECIFIED":
            raise invalid(f"{path}.type: a feature type is required.")
        max_results = feature.get("maxResults", DEFAULT_MAX_RESULTS) or DEFAULT_MAX_RESULTS
        if not isinstance(max_results, int) or max_results < 0:
            raise invalid(f"Invalid value at '{path}.max_results' (TYPE_INT32), {max_results!r}")
        found.append((str(kind), max_results))
    return found


def _answer(item: dict[str, Any], index: int, features: list[tuple[str, int]]) -> dict[str, Any]:
    """One AnnotateImageResponse: the features computed, or the image's error."""
    try:
        for kind, _max in features:
            if kind in NOT_COMPUTED:
                raise GoogleError(
                    "UNIMPLEMENTED",
                    f"the local emulator does not compute {kind}: {NOT_COMPUTED[kind]}",
                )
        data = vision_image.image_bytes(item, index)
        decoded: dict[int, Any] = {}  # one decode per pixel budget, shared by the features
        response: dict[str, Any] = {}
        for kind, max_results in features:
            response.update(_compute(kind, data, max_results, decoded))
        return response
    except GoogleError as err:
        return {"error": err.rpc_status()}
    except CloudError as exc:  # a missing engine: UNIMPLEMENTED with its install command
        return {"error": error_from_cloud_error(exc).rpc_status()}
    except Exception as exc:
        if _opencv_error(exc):  # OpenCV refusing pixels that decoded (an odd shape): the image's fault
            return {"error": GoogleError("INVALID_ARGUMENT", f"Bad image data: {exc}").rpc_status()}
        raise


def _opencv_error(exc: Exception) -> bool:
    import cv2

    return isinstance(exc, cv2.error)


def _compute(kind: str, data: bytes, max_results: int, decoded: dict[int, Any]) -> dict[str, Any]:
    from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, OCR_MAX_SIDE

    text = kind in ("TEXT_DETECTION", "DOCUMENT_TEXT_DETECTION")
    budget = OCR_MAX_SIDE if text else ANALYSIS_MAX_SIDE
    if budget not in decoded:
        decoded[budget] = vision_image.decode(data, budget)
    image = decoded[budget]
    if text:
        return text_annotations(image)
    if kind == "FACE_DETECTION":
        return {"faceAnnotations": face_annotations(image, max_results)}
    if kind == "LABEL_DETECTION":
        return {"labelAnnotations": label_annotations(image, max_results)}
    return {"imagePropertiesAnnotation": image_properties(image)}


def _poly(box: Any, size: tuple[int, int]) -> dict[str, Any]:
    """A fractional box as Vision's ``boundingPoly``: four pixel vertices, clockwise from the top left."""
    width, height = size
    left, top = round(box.left * width), round(box.top * height)
    right, bottom = round((box.left + box.width) * width), round((box.top + box.height) * height)
    return {
        "vertices": [
            {"x": left, "y": top},
            {"x": right, "y": top},
            {"x": right, "y": bottom},
            {"x": left, "y": bottom},
        ]
    }


def face_annotations(decoded: Any, max_results: int) -> list[dict[str, Any]]:
    from multi_cloud.onprem.engines.faces import detect_faces

    size = decoded.original_size
    found = []
    for face in detect_faces(decoded.pixels)[:max_results]:
        annotation: dict[str, Any] = {
            "boundingPoly": _poly(face.box, size),
            "fdBoundingPoly": _poly(face.box, size),
            "landmarks": [
                {
                    "type": LANDMARKS.get(name, name),
                    "position": {"x": x * size[0], "y": y * size[1], "z": 0.0},
                }
                for name, (x, y) in face.landmarks.items()
            ],
            "detectionConfidence": round(face.confidence / 100.0, 6),
            "landmarkingConfidence": round(face.confidence / 100.0, 6) if face.landmarks else 0.0,
            **dict.fromkeys(LIKELIHOODS, LIKELIHOOD_UNKNOWN),
        }
        if {"eyeLeft", "eyeRight"} <= set(face.landmarks):
            (lx, ly), (rx, ry) = face.landmarks["eyeLeft"], face.landmarks["eyeRight"]
            angle = math.degrees(math.atan2((ry - ly) * size[1], (rx - lx) * size[0]))
            annotation["rollAngle"] = round(angle, 3)
        found.append(annotation)
    return found


def label_annotations(decoded: Any, max_results: int) -> list[dict[str, Any]]:
    from multi_cloud.onprem.engines.image_labels import classify

    return [
        {
            "description": label.name,
            "score": round(label.confidence / 100.0, 6),
            "topicality": round(label.confidence / 100.0, 6),
        }
        for label in classify(decoded.pixels, max_labels=max(1, min(max_results, 1000)))
    ]


def text_annotations(decoded: Any) -> dict[str, Any]:
    from multi_cloud.onprem.engines.ocr import detect_text

    found = detect_text(decoded.pixels, include_words=True)
    lines = [d for d in found if d.kind == "LINE"]
    words = [d for d in found if d.kind == "WORD" and d.box is not None]
    if not lines:
        return {}
    size = decoded.original_size
    text = "\n".join(line.text for line in lines) + "\n"
    boxes = [line.box for line in lines if line.box is not None]
    left, top = min(b.left for b in boxes), min(b.top for b in boxes)
    right = max(b.left + b.width for b in boxes)
    bottom = max(b.top + b.height for b in boxes)
    from multi_cloud.core.types import BoundingBox

    whole = BoundingBox(left=left, top=top, width=right - left, height=bottom - top)
    annotations = [{"description": text, "boundingPoly": _poly(whole, size)}]
    annotations += [{"description": word.text, "boundingPoly": _poly(word.box, size)} for word in words]
    pages = [{"width": size[0], "height": size[1], "confidence": _mean(line.confidence for line in lines)}]
    return {"textAnnotations": annotations, "fullTextAnnotation": {"text": text, "pages": pages}}


def _mean(values: Any) -> float:
    items = [v / 100.0 for v in values]
    return round(sum(items) / len(items), 6) if items else 0.0


def image_properties(decoded: Any) -> dict[str, Any]:
    from multi_cloud.onprem.engines.image_stats import dominant_colors

    return {
        "dominantColors": {
            "colors": [
                {
                    "color": {"red": c.red, "green": c.green, "blue": c.blue},
                    "score": round(c.pixel_fraction, 6),
                    "pixelFraction": round(c.pixel_fraction, 6),
                }
                for c in dominant_colors(decoded.pixels)
            ]
        }
    }
