"""OnPremVision: faces, colours, OCR and labels computed on this machine (OpenCV, RapidOCR, ONNX)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.core.base import VisionService
from multi_cloud.core.errors import InvalidArgument, mapped_errors
from multi_cloud.core.types import Face, ImageProperties, Label, TextDetection
from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, OCR_MAX_SIDE, DecodedImage, decode_image

#: Most labels one call may ask for (Rekognition's MaxLabels has no bound; Vision's maxResults neither).
MAX_LABELS_LIMIT = 1000


class OnPremVision(VisionService):
    """Images are encoded bytes (JPEG, PNG, GIF, BMP, WEBP, TIFF) up to ``imaging.MAX_IMAGE_BYTES``.

    Engines see the image under a pixel budget (``imaging.ANALYSIS_MAX_SIDE``, OCR ``OCR_MAX_SIDE``);
    boxes are fractions of the image, so they do not change with the budget.
    """

    unsupported: dict[str, str] = {}

    @contextmanager
    def _operation(self, name: str) -> Iterator[None]:
        with mapped_errors(self.provider, f"vision.{name}", lambda _exc: None):
            yield

    def decode(self, image: bytes) -> DecodedImage:
        """The decoded pixels and detected format; InvalidArgument for empty, oversize or non-image input."""
        with self._operation("decode"):
            return decode_image(image)

    def detect_labels(self, image: bytes, *, max_labels: int = 10) -> list[Label]:
        """ImageNet-1k labels from EfficientNet-Lite0 (needs the ``vision-labels`` extra)."""
        from multi_cloud.onprem.engines.image_labels import classify

        with self._operation("detect_labels"):
            if not 1 <= max_labels <= MAX_LABELS_LIMIT:
                raise InvalidArgument(
                    f"max_labels must be between 1 and {MAX_LABELS_LIMIT}, got {max_labels}"
                )
            return classify(decode_image(image, max_side=ANALYSIS_MAX_SIDE).pixels, max_labels=max_labels)

    def detect_faces(self, image: bytes) -> list[Face]:
        """Frontal faces (OpenCV Haar cascade), most confident first; see ``onprem.faces``."""
        from multi_cloud.onprem.engines.faces import detect_faces

        with self._operation("detect_faces"):
            return detect_faces(decode_image(image, max_side=ANALYSIS_MAX_SIDE).pixels)

    def detect_text(
        self, image: bytes, *, include_words: bool = False, language: str = "eng"
    ) -> list[TextDetection]:
        """LINE detections (RapidOCR or tesseract, see ``engines.ocr``), then WORDs with ``include_words``."""
        from multi_cloud.onprem.engines.ocr import detect_text

        with self._operation("detect_text"):
            pixels = decode_image(image, max_side=OCR_MAX_SIDE).pixels
            return detect_text(pixels, language=language, include_words=include_words)

    def image_properties(self, image: bytes) -> ImageProperties:
        """Size, dominant colours, brightness and sharpness; see ``onprem.image_stats``."""
        from multi_cloud.onprem.engines.image_stats import image_properties

        with self._operation("image_properties"):
            decoded = decode_image(image, max_side=ANALYSIS_MAX_SIDE)
            return image_properties(decoded.pixels, size=decoded.original_size)
