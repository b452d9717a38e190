"""RekognitionClient: labels, faces, text, image properties and face comparison with Amazon Rekognition.

Images are either encoded bytes (JPEG or PNG, up to 5 MB inline) or an ``s3://bucket/key`` URI (up to
15 MB, read by Rekognition itself). Results are the portable types of :mod:`multi_cloud.core.types`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BoundingBox, Color, Face, Label, TextDetection
from multi_cloud.core.uris import split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

Image = bytes | str


@dataclass(frozen=True)
class FaceMatch:
    """A face of the target image that matches the source face, with Rekognition's similarity (0..100)."""

    similarity: float
    box: BoundingBox
    confidence: float


@dataclass(frozen=True)
class RekognitionImageProperties:
    """What DetectLabels' ``IMAGE_PROPERTIES`` feature measures (Rekognition reports no pixel size)."""

    dominant_colors: tuple[Color, ...]
    brightness: float
    sharpness: float
    contrast: float


def image_argument(image: Image) -> dict[str, Any]:
    """Rekognition's ``Image`` structure for bytes or an ``s3://`` URI."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        return {"Bytes": bytes(image)}
    if isinstance(image, str) and image.startswith("s3://"):
        bucket, key = split_uri(image, scheme="s3")
        return {"S3Object": {"Bucket": bucket, "Name": key}}
    raise InvalidArgument(
        f"image must be encoded bytes or an s3://bucket/key URI, not {type(image).__name__}", provider="aws"
    )


def to_box(box: dict[str, float]) -> BoundingBox:
    return BoundingBox(left=box["Left"], top=box["Top"], width=box["Width"], height=box["Height"])


class RekognitionClient:
    """Amazon Rekognition's image APIs; every method maps AWS errors to :mod:`multi_cloud.core.errors`."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    client = ServiceClient("rekognition")

    def detect_labels(
        self, image: Image, *, max_labels: int = 10, min_confidence: float = 55.0
    ) -> list[Label]:
        """Objects and scenes, most confident first, down to ``min_confidence`` (Rekognition's default 55)."""
        with aws_errors("vision.detect_labels"):
            answer = self.client.detect_labels(
                Image=image_argument(image), MaxLabels=max_labels, MinConfidence=min_confidence
            )
        labels = [Label(name=item["Name"], confidence=float(item["Confidence"])) for item in answer["Labels"]]
        return sorted(labels, key=lambda label: -label.confidence)

    def image_properties(self, image: Image) -> RekognitionImageProperties:
        """Dominant colours and quality (DetectLabels with ``Features=["IMAGE_PROPERTIES"]``)."""
        with aws_errors("vision.image_properties"):
            answer = self.client.detect_labels(Image=image_argument(image), Features=["IMAGE_PROPERTIES"])
        properties = answer["ImageProperties"]
        quality = properties.get("Quality", {})
        colors = tuple(
            Color(red=c["Red"], green=c["Green"], blue=c["Blue"], pixel_fraction=c["PixelPercent"] / 100.0)
            for c in properties.get("DominantColors", [])
        )
        return RekognitionImageProperties(
            dominant_colors=tuple(sorted(colors, key=lambda c: -c.pixel_fraction)),
            brightness=float(quality.get("Brightness", 0.0)),
            sharpness=float(quality.get("Sharpness", 0.0)),
            contrast=float(quality.get("Contrast", 0.0)),
        )

    def detect_faces(self, image: Image) -> list[Face]:
        """Faces with boxes (image fractions), confidence and landmarks, most confident first."""
        with aws_errors("vision.detect_faces"):
            answer = self.client.detect_faces(Image=image_argument(image), Attributes=["DEFAULT"])
        faces = [
            Face(
                box=to_box(detail["BoundingBox"]),
                confidence=float(detail["Confidence"]),
                landmarks={
                    mark["Type"]: (float(mark["X"]), float(mark["Y"])) for mark in detail.get("Landmarks", [])
                },
            )
            for detail in answer["FaceDetails"]
        ]
        return sorted(faces, key=lambda face: -face.confidence)

    def detect_text(self, image: Image, *, include_words: bool = False) -> list[TextDetection]:
        """LINE detections in reading order, then WORD detections when ``include_words``."""
        with aws_errors("vision.detect_text"):
            answer = self.client.detect_text(Image=image_argument(image))
        found = [
            TextDetection(
                text=item["DetectedText"],
                confidence=float(item["Confidence"]),
                box=to_box(item["Geometry"]["BoundingBox"]),
                kind=item["Type"],
            )
            for item in sorted(answer["TextDetections"], key=lambda item: item["Id"])
        ]
        lines = [d for d in found if d.kind == "LINE"]
        return lines + ([d for d in found if d.kind == "WORD"] if include_words else [])

    def compare_faces(
        self, source: Image, target: Image, *, similarity_threshold: float = 80.0
    ) -> list[FaceMatch]:
        """Faces in ``target`` that match the largest face in ``source``, most similar first."""
        with aws_errors("vision.compare_faces"):
            answer = self.client.compare_faces(
                SourceImage=image_argument(source),
                TargetImage=image_argument(target),
                SimilarityThreshold=similarity_threshold,
            )
        matches = [
            FaceMatch(
                similarity=float(match["Similarity"]),
                box=to_box(match["Face"]["BoundingBox"]),
                confidence=float(match["Face"].get("Confidence", 0.0)),
            )
            for match in answer.get("FaceMatches", [])
        ]
        return sorted(matches, key=lambda match: -match.similarity)
