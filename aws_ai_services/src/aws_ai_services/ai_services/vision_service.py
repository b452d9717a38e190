"""AWSVision: the portable VisionService over Amazon Rekognition (labels, faces, text, image properties)."""

from __future__ import annotations

from multi_cloud.core.base import VisionService
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Face, ImageProperties, Label, TextDetection

from aws_ai_services.ai_services.rekognition import RekognitionClient

#: labels below this confidence are not asked for: the portable contract is "the top N labels"
LABEL_FLOOR = 1.0


class AWSVision(VisionService):
    """Rekognition behind :class:`~multi_cloud.core.base.VisionService`; images are JPEG or PNG bytes."""

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.rekognition = RekognitionClient(settings or get_settings())

    def detect_labels(self, image: bytes, *, max_labels: int = 10) -> list[Label]:
        return self.rekognition.detect_labels(image, max_labels=max_labels, min_confidence=LABEL_FLOOR)

    def detect_faces(self, image: bytes) -> list[Face]:
        return self.rekognition.detect_faces(image)

    def detect_text(self, image: bytes) -> list[TextDetection]:
        return self.rekognition.detect_text(image)

    def image_properties(self, image: bytes) -> ImageProperties:
        """Rekognition's colours and quality; the pixel size (it reports none) read from the header."""
        measured = self.rekognition.image_properties(image)
        width, height = _pixel_size(image)
        return ImageProperties(
            width=width,
            height=height,
            dominant_colors=measured.dominant_colors,
            brightness=measured.brightness,
            sharpness=measured.sharpness,
        )


def _pixel_size(image: bytes) -> tuple[int, int]:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image)) as opened:
            return int(opened.width), int(opened.height)
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidArgument(
            f"cannot read the image size: {exc}", provider="aws", operation="vision.image_properties"
        ) from exc
