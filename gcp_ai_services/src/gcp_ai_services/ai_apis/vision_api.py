"""CloudVision: Cloud Vision's ``images:annotate`` (faces, labels, text, colours) (``ImageAnnotatorClient``).

Vision answers each image of a batch on its own: a bad image or an unsupported feature comes back as the
image's ``error`` (a ``google.rpc.Status``), not as an exception; :meth:`CloudVision.annotate` raises it as
the matching :mod:`multi_cloud.core.errors` class, ``code`` the canonical status name. Vision reports boxes
in pixels: the portable results turn them into fractions of the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from multi_cloud.core.base import VisionService
from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BoundingBox, Color, Face, ImageProperties, Label, TextDetection

from gcp_ai_services.errors import ERROR_CLASSES, google_errors
from gcp_ai_services.session import google_client

#: google.rpc.Code number -> name, for the per-image errors (``response.error.code``)
CODE_NAMES = (
    "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS PERMISSION_DENIED "
    "RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE UNIMPLEMENTED INTERNAL UNAVAILABLE "
    "DATA_LOSS UNAUTHENTICATED"
).split()
LANDMARK_NAMES = {"LEFT_EYE": "eyeLeft", "RIGHT_EYE": "eyeRight"}


def image_error(status: Any, operation: str) -> CloudError:
    """The error for an image's ``google.rpc.Status``."""
    name = CODE_NAMES[status.code] if 0 <= status.code < len(CODE_NAMES) else "UNKNOWN"
    cls = ERROR_CLASSES.get(name, CloudError)
    return cls(f"{name}: {status.message}", provider="gcp", operation=operation, code=name)


def fractional_box(poly: Any, size: tuple[int, int]) -> BoundingBox:
    """A ``boundingPoly`` in pixels as a box in fractions of the ``(width, height)`` image."""
    width, height = size
    xs = [vertex.x for vertex in poly.vertices] or [0]
    ys = [vertex.y for vertex in poly.vertices] or [0]
    left, top = max(0, min(xs)), max(0, min(ys))
    return BoundingBox(
        left=left / width,
        top=top / height,
        width=(min(width, max(xs)) - left) / width,
        height=(min(height, max(ys)) - top) / height,
    )


class CloudVision(VisionService):
    """Cloud Vision behind :class:`~multi_cloud.core.base.VisionService`; images are encoded bytes."""

    def __init__(self, provider: str = "gcp", settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    @property
    def client(self) -> Any:
        """The official ``vision_v1.ImageAnnotatorClient`` (REST; the local emulator in local mode)."""
        return google_client("vision", self.settings)

    def annotate(self, image: bytes, features: Sequence[str], *, max_results: int = 10) -> Any:
        """One ``AnnotateImageResponse`` for ``features`` (``"FACE_DETECTION"``...); its error raised."""
        operation = f"vision.annotate({', '.join(features)})"
        request = {
            "image": {"content": bytes(image)},
            "features": [{"type_": feature, "max_results": max_results} for feature in features],
        }
        with google_errors(operation):
            response = self.client.batch_annotate_images(requests=[request]).responses[0]
        if response.error.code:
            raise image_error(response.error, operation)
        return response

    def detect_labels(self, image: bytes, *, max_labels: int = 10) -> list[Label]:
        """Labels, most confident first; ``confidence`` is Vision's score on 0..100."""
        response = self.annotate(image, ["LABEL_DETECTION"], max_results=max_labels)
        labels = [
            Label(name=a.description, confidence=round(a.score * 100, 3)) for a in response.label_annotations
        ]
        return sorted(labels, key=lambda label: label.confidence, reverse=True)[:max_labels]

    def detect_faces(self, image: bytes) -> list[Face]:
        """Faces with boxes and eye landmarks as fractions of the image."""
        from multi_cloud.onprem.engines.imaging import image_size

        response = self.annotate(image, ["FACE_DETECTION"])
        size = image_size(image)
        return [
            Face(
                box=fractional_box(face.bounding_poly, size),
                confidence=round(face.detection_confidence * 100, 3),
                landmarks={
                    LANDMARK_NAMES[landmark.type_.name]: (
                        landmark.position.x / size[0],
                        landmark.position.y / size[1],
                    )
                    for landmark in face.landmarks
                    if landmark.type_.name in LANDMARK_NAMES
                },
            )
            for face in response.face_annotations
        ]

    def detect_text(self, image: bytes) -> list[TextDetection]:
        """One LINE per line of Vision's full text, its box the union of the words on it."""
        from multi_cloud.onprem.engines.imaging import image_size

        response = self.annotate(image, ["TEXT_DETECTION"])
        if not response.text_annotations:
            return []
        size = image_size(image)
        pages = response.full_text_annotation.pages
        confidence = round(pages[0].confidence * 100, 3) if pages else 0.0
        words = [
            (a.description, fractional_box(a.bounding_poly, size)) for a in response.text_annotations[1:]
        ]
        return [
            TextDetection(text=line, confidence=confidence, box=box, kind="LINE")
            for line, box in lines_with_boxes(response.text_annotations[0].description, words)
        ]

    def image_properties(self, image: bytes) -> ImageProperties:
        """Vision's dominant colours; size, brightness and sharpness (Vision reports none) measured here."""
        from multi_cloud.onprem.vision import OnPremVision

        response = self.annotate(image, ["IMAGE_PROPERTIES"])
        measured = OnPremVision(self.provider).image_properties(image)
        colors = tuple(
            Color(
                red=int(c.color.red),
                green=int(c.color.green),
                blue=int(c.color.blue),
                pixel_fraction=float(c.pixel_fraction),
            )
            for c in response.image_properties_annotation.dominant_colors.colors
        )
        return ImageProperties(
            width=measured.width,
            height=measured.height,
            dominant_colors=tuple(sorted(colors, key=lambda c: c.pixel_fraction, reverse=True)),
            brightness=measured.brightness,
            sharpness=measured.sharpness,
        )


def lines_with_boxes(
    full_text: str, words: list[tuple[str, BoundingBox]]
) -> list[tuple[str, BoundingBox | None]]:
    """Each line of ``full_text`` with the union box of the words it holds (words come in reading order)."""
    found: list[tuple[str, BoundingBox | None]] = []
    position = 0
    for line in (text.strip() for text in full_text.splitlines()):
        if not line:
            continue
        boxes = []
        for token in line.split():
            if position < len(words) and words[position][0] == token:
                boxes.append(words[position][1])
                position += 1
        found.append((line, _union(boxes)))
    return found


def _union(boxes: list[BoundingBox]) -> BoundingBox | None:
    if not boxes:
        return None
    left, top = min(b.left for b in boxes), min(b.top for b in boxes)
    right, bottom = max(b.left + b.width for b in boxes), max(b.top + b.height for b in boxes)
    return BoundingBox(left=left, top=top, width=right - left, height=bottom - top)
