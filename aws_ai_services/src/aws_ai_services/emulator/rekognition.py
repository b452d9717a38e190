"""Amazon Rekognition image APIs, computed by the on-prem vision engines (OpenCV, EfficientNet, tesseract).

* DetectFaces: OpenCV Haar cascade boxes and confidences, eye landmarks, ``Pose.Roll`` from the eye line,
  ``Quality`` (brightness, sharpness) of the face crop. ``Attributes=["ALL"]`` returns this same default
  set; naming an attribute that needs a face-analysis model (``EMOTIONS``, ``AGE_RANGE``...) is 501.
* DetectLabels: ImageNet classes from EfficientNet-Lite0 (Title Case names, no parents or instances),
  filtered by ``MinConfidence`` (default 55, as Rekognition); ``Features=["IMAGE_PROPERTIES"]`` adds
  dominant colours, brightness, sharpness and RMS contrast.
* DetectText: tesseract LINEs and WORDs, each word's ``ParentId`` the line it lies in.
* CompareFaces: see :mod:`aws_ai_services.emulator.rekognition_compare`.
"""

from __future__ import annotations

import math
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, RequestContext, not_implemented
from multi_cloud.emulation.protocols.aws.routing import AwsResponder

from aws_ai_services.emulator import rekognition_images as images
from aws_ai_services.emulator.control_plane import ControlPlane

DEFAULT_MIN_CONFIDENCE = 55.0
LABEL_MODEL_VERSION = "efficientnet-lite0-onprem"
#: TextModelVersion names the offline engine that read the text: "<engine>-onprem"
TEXT_MODEL_SUFFIX = "-onprem"
DEFAULT_ATTRIBUTES = {"DEFAULT", "ALL"}


def box(b: Any) -> dict[str, float]:
    return {"Width": b.width, "Height": b.height, "Left": b.left, "Top": b.top}


def polygon(b: Any) -> list[dict[str, float]]:
    corners = ((0, 0), (1, 0), (1, 1), (0, 1))
    return [{"X": b.left + dx * b.width, "Y": b.top + dy * b.height} for dx, dy in corners]


class RekognitionResponses(AwsResponder):
    service_name = "rekognition"
    validate_input = True
    error_codes = ErrorCodes(invalid="InvalidParameterException")

    def __init__(self, control_plane: ControlPlane) -> None:
        self.control_plane = control_plane

    def _pixels(self, image: dict[str, Any] | None, context: RequestContext, max_side: int = 0) -> Any:
        return images.load(image, self.control_plane, context.region, max_side or None)

    def map_exception(self, exc: Exception, operation: str) -> AwsError | None:
        """An OpenCV failure on an image that decoded (an odd shape) is the caller's image, not a fault."""
        import cv2

        if isinstance(exc, cv2.error):
            return AwsError(
                "InvalidParameterException",
                f"Request has invalid parameters: {operation} cannot use this image",
            )
        return super().map_exception(exc, operation)

    # ------------------------------------------------------------------ faces
    def detect_faces(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        from multi_cloud.onprem.engines.faces import detect_faces

        wanted = set(params.get("Attributes") or ["DEFAULT"]) - DEFAULT_ATTRIBUTES
        if wanted:
            raise not_implemented(
                "Rekognition DetectFaces",
                f"face attributes {', '.join(sorted(wanted))} need a face-analysis model that has no offline "
                'engine here; ask for Attributes=["DEFAULT"] (boxes, landmarks, pose roll, quality)',
            )
        pixels = self._pixels(params.get("Image"), context)
        return {"FaceDetails": [face_detail(face, pixels) for face in detect_faces(pixels)]}

    def compare_faces(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        from aws_ai_services.emulator.rekognition_compare import compare_faces

        source = self._pixels(params.get("SourceImage"), context)
        target = self._pixels(params.get("TargetImage"), context)
        threshold = float(params.get("SimilarityThreshold", 80.0))
        return compare_faces(source, target, threshold)

    # ------------------------------------------------------------------ labels
    def detect_labels(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        features = params.get("Features") or ["GENERAL_LABELS"]
        unknown = set(features) - {"GENERAL_LABELS", "IMAGE_PROPERTIES"}
        if unknown:
            raise AwsError("InvalidParameterException", f"Request has invalid parameters: Features {unknown}")
        pixels = self._pixels(params.get("Image"), context)
        output: dict[str, Any] = {"LabelModelVersion": LABEL_MODEL_VERSION}
        if "GENERAL_LABELS" in features:
            output["Labels"] = labels(pixels, params.get("MaxLabels"), params.get("MinConfidence"))
        if "IMAGE_PROPERTIES" in features:
            output["ImageProperties"] = image_properties(pixels)
        return output

    # ------------------------------------------------------------------ text
    def detect_text(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        from multi_cloud.onprem.engines.imaging import OCR_MAX_SIDE
        from multi_cloud.onprem.engines.ocr import detect_text, engine

        pixels = self._pixels(params.get("Image"), context, OCR_MAX_SIDE)
        found = detect_text(pixels, include_words=True)
        lines = [d for d in found if d.kind == "LINE"]
        words = [d for d in found if d.kind == "WORD"]
        detections = [_text(line, index) for index, line in enumerate(lines)]
        for offset, word in enumerate(words):
            detection = _text(word, len(lines) + offset)
            parent = _parent_line(word, lines)
            if parent is not None:
                detection["ParentId"] = parent
            detections.append(detection)
        return {"TextDetections": detections, "TextModelVersion": engine() + TEXT_MODEL_SUFFIX}


def face_detail(face: Any, pixels: Any) -> dict[str, Any]:
    from multi_cloud.onprem.engines.image_stats import brightness, sharpness

    height, width = pixels.shape[:2]
    b = face.box
    top, left = int(b.top * height), int(b.left * width)
    crop = pixels[top : top + max(1, int(b.height * height)), left : left + max(1, int(b.width * width))]
    detail: dict[str, Any] = {
        "BoundingBox": box(b),
        "Landmarks": [{"Type": name, "X": x, "Y": y} for name, (x, y) in face.landmarks.items()],
        "Quality": {"Brightness": brightness(crop), "Sharpness": sharpness(crop)},
        "Confidence": face.confidence,
    }
    if {"eyeLeft", "eyeRight"} <= set(face.landmarks):
        (lx, ly), (rx, ry) = face.landmarks["eyeLeft"], face.landmarks["eyeRight"]
        # roll: the eye line's angle in pixels (positive = clockwise, image y grows downwards)
        detail["Pose"] = {"Roll": round(math.degrees(math.atan2((ry - ly) * height, (rx - lx) * width)), 3)}
    return detail


def labels(pixels: Any, max_labels: int | None, min_confidence: float | None) -> list[dict[str, Any]]:
    from multi_cloud.onprem.engines.image_labels import classify

    floor = DEFAULT_MIN_CONFIDENCE if min_confidence is None else float(min_confidence)
    found = classify(pixels, max_labels=min(int(max_labels or 1000), 1000))
    return [
        {
            "Name": label.name.title(),
            "Confidence": label.confidence,
            "Instances": [],
            "Parents": [],
            "Aliases": [],
            "Categories": [],
        }
        for label in found
        if label.confidence >= floor
    ]


def image_properties(pixels: Any) -> dict[str, Any]:
    import numpy as np
    from multi_cloud.onprem.engines.image_stats import image_properties as measure

    props = measure(pixels)
    gray = pixels[..., 2] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 0] * 0.114
    contrast = round(min(100.0, float(np.std(gray)) / 127.5 * 100.0), 3)
    return {
        "Quality": {"Brightness": props.brightness, "Sharpness": props.sharpness, "Contrast": contrast},
        "DominantColors": [
            {
                "Red": c.red,
                "Green": c.green,
                "Blue": c.blue,
                "HexCode": c.hex,
                "PixelPercent": round(c.pixel_fraction * 100.0, 3),
            }
            for c in props.dominant_colors
        ],
    }


def _text(detection: Any, identifier: int) -> dict[str, Any]:
    return {
        "DetectedText": detection.text,
        "Type": detection.kind,
        "Id": identifier,
        "Confidence": detection.confidence,
        "Geometry": {"BoundingBox": box(detection.box), "Polygon": polygon(detection.box)},
    }


def _parent_line(word: Any, lines: list[Any]) -> int | None:
    """The index of the line whose box holds the word's centre and whose text contains the word."""
    cx, cy = word.box.left + word.box.width / 2, word.box.top + word.box.height / 2
    for index, line in enumerate(lines):
        lb = line.box
        inside = lb.left <= cx <= lb.left + lb.width and lb.top <= cy <= lb.top + lb.height
        if inside and word.text in line.text:
            return index
    return None
