"""The on-premises engines behind both Vision APIs: tags, faces, colours and text, in Azure's units."""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import MissingDependency
from multi_cloud.core.types import BoundingBox, TextDetection

from azure_ai_services.emulator.service_errors import not_computed


def tags(pixels: Any, *, limit: int = 20) -> list[dict[str, Any]]:
    """ImageNet labels (EfficientNet-Lite0) as ``{"name", "confidence"}`` with confidence 0..1."""
    from multi_cloud.onprem.engines.image_labels import classify

    try:
        labels = classify(pixels, max_labels=limit)
    except MissingDependency as exc:
        raise not_computed("tags", exc.message) from exc
    return [{"name": label.name, "confidence": round(label.confidence / 100, 4)} for label in labels]


def face_rectangles(pixels: Any, size: tuple[int, int]) -> list[dict[str, int]]:
    """Frontal faces (OpenCV Haar cascade) as pixel ``{"left", "top", "width", "height"}``."""
    from multi_cloud.onprem.engines.faces import detect_faces

    width, height = size
    return [
        {
            "left": round(face.box.left * width),
            "top": round(face.box.top * height),
            "width": round(face.box.width * width),
            "height": round(face.box.height * height),
        }
        for face in detect_faces(pixels)
    ]


def polygon(box: BoundingBox | None, size: tuple[int, int]) -> list[int]:
    """A fractional box as Read's 8 numbers: x,y of top-left, top-right, bottom-right, bottom-left."""
    if box is None:
        return [0] * 8
    width, height = size
    left, top = round(box.left * width), round(box.top * height)
    right, bottom = round((box.left + box.width) * width), round((box.top + box.height) * height)
    return [left, top, right, top, right, bottom, left, bottom]


def read_lines(pixels: Any) -> list[tuple[TextDetection, list[TextDetection]]]:
    """OCR lines, each with the words inside it (RapidOCR, or tesseract when installed)."""
    from multi_cloud.onprem.engines.ocr import detect_text

    try:
        found = detect_text(pixels, include_words=True)
    except MissingDependency as exc:
        raise not_computed("text recognition", exc.message) from exc
    lines = [d for d in found if d.kind == "LINE"]
    words = [d for d in found if d.kind == "WORD"]
    grouped: list[tuple[TextDetection, list[TextDetection]]] = []
    for line in lines:
        inside = [w for w in words if w.box is not None and line.box is not None and _within(w.box, line.box)]
        grouped.append((line, inside))
    return grouped


def _within(word: BoundingBox, line: BoundingBox) -> bool:
    centre_x, centre_y = word.left + word.width / 2, word.top + word.height / 2
    return line.left <= centre_x <= line.left + line.width and line.top <= centre_y <= line.top + line.height
