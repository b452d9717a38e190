"""AzureVision: Computer Vision v3.2 (``ComputerVisionClient``) and Image Analysis 4.0.

The lesson calls are :meth:`analyze`, :meth:`read` and :meth:`analyze_4`, returning the SDKs' own results;
the capability methods (faces, labels, text) map them to ``multi_cloud.core.types``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from multi_cloud.core.base import VisionService
from multi_cloud.core.errors import InvalidArgument, Unavailable
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import BoundingBox, Face, ImageProperties, Label, TextDetection

from azure_ai_services.clients import ai_client, ai_services_endpoint, ai_services_key
from azure_ai_services.errors import azure_errors

if TYPE_CHECKING:  # pragma: no cover
    from azure.ai.vision.imageanalysis import ImageAnalysisClient

#: Computer Vision v3.2 accepts images up to 4 MB
MAX_IMAGE_BYTES = 4 * 1024 * 1024
READ_POLL_SECONDS = 0.2
READ_TIMEOUT_SECONDS = 120.0
PROPERTIES_REASON = (
    "Computer Vision's Color feature names colours (dominantColors, accentColor, isBwImg) without pixel "
    "fractions, brightness or sharpness; analyze(image, ['Color']) returns what it measures"
)


class AzureVision(VisionService):
    """Faces (v3.2 ``Faces``: Azure sends no score, so a reported face has confidence 100), tags, Read."""

    unsupported = {"vision.image_properties": PROPERTIES_REASON}

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    @cached_property
    def client(self) -> Any:
        """The ``ComputerVisionClient`` (msrest-based and untyped, hence ``Any``)."""
        from azure.cognitiveservices.vision.computervision import ComputerVisionClient
        from msrest.authentication import CognitiveServicesCredentials

        endpoint = ai_services_endpoint(self.settings)
        untyped: Any = ComputerVisionClient
        return untyped(endpoint, CognitiveServicesCredentials(ai_services_key().key))

    @cached_property
    def image_analysis(self) -> ImageAnalysisClient:
        from azure.ai.vision.imageanalysis import ImageAnalysisClient

        return ai_client(ImageAnalysisClient, self.settings)

    def analyze(self, image: bytes, features: Sequence[str]) -> Any:
        """``analyze_image_in_stream(image, visual_features=features)``: the SDK's ``ImageAnalysis``."""
        _check_size(image)
        with azure_errors("vision.analyze"):
            return self.client.analyze_image_in_stream(io.BytesIO(image), visual_features=list(features))

    def read(self, image: bytes) -> Any:
        """The Read API: ``read_in_stream``, then ``get_read_result`` polled until it ends."""
        from azure.cognitiveservices.vision.computervision.models import OperationStatusCodes

        with azure_errors("vision.read"):
            started = self.client.read_in_stream(io.BytesIO(image), raw=True)
            operation_id = started.headers["Operation-Location"].rsplit("/", 1)[-1]
            deadline = time.monotonic() + READ_TIMEOUT_SECONDS
            while True:
                result = self.client.get_read_result(operation_id)
                if result.status not in (OperationStatusCodes.not_started, OperationStatusCodes.running):
                    break
                if time.monotonic() > deadline:
                    raise Unavailable(
                        f"Read operation {operation_id} did not finish in {READ_TIMEOUT_SECONDS:.0f} s"
                    )
                time.sleep(READ_POLL_SECONDS)
        if result.status != OperationStatusCodes.succeeded:
            raise Unavailable(f"Read operation {operation_id} ended {result.status}", code=str(result.status))
        return result

    def analyze_4(self, image: bytes, features: Sequence[str]) -> Any:
        """Image Analysis 4.0 ``ImageAnalysisClient.analyze`` (features such as ``"tags"``, ``"read"``)."""
        from azure.ai.vision.imageanalysis.models import VisualFeatures

        with azure_errors("vision.analyze_4"):
            return self.image_analysis.analyze(
                image_data=image, visual_features=[VisualFeatures(f) for f in features]
            )

    def detect_labels(self, image: bytes, *, max_labels: int = 10) -> list[Label]:
        if not 1 <= max_labels <= 1000:
            raise InvalidArgument(
                f"max_labels must be between 1 and 1000, got {max_labels}", provider=self.provider
            )
        result = self.analyze(image, ["Tags"])
        tags = sorted(result.tags or [], key=lambda tag: tag.confidence, reverse=True)
        return [Label(name=tag.name, confidence=tag.confidence * 100) for tag in tags[:max_labels]]

    def detect_faces(self, image: bytes) -> list[Face]:
        result = self.analyze(image, ["Faces"])
        width, height = result.metadata.width, result.metadata.height
        return [
            Face(
                box=BoundingBox(
                    left=face.face_rectangle.left / width,
                    top=face.face_rectangle.top / height,
                    width=face.face_rectangle.width / width,
                    height=face.face_rectangle.height / height,
                ),
                confidence=100.0,
            )
            for face in result.faces or []
        ]

    def detect_text(self, image: bytes) -> list[TextDetection]:
        """LINE detections from the Read API; a line's confidence is the mean of its words'."""
        _check_size(image, limit=500 * 1024 * 1024)
        result = self.read(image)
        found: list[TextDetection] = []
        for page in result.analyze_result.read_results:
            for line in page.lines:
                scores = [word.confidence for word in line.words] or [0.0]
                found.append(
                    TextDetection(
                        text=line.text,
                        confidence=100 * sum(scores) / len(scores),
                        box=_box(line.bounding_box, page.width, page.height),
                    )
                )
        return found

    def image_properties(self, image: bytes) -> ImageProperties:
        raise self._unsupported("image_properties")


def _check_size(image: bytes, limit: int = MAX_IMAGE_BYTES) -> None:
    if not isinstance(image, (bytes, bytearray)):
        raise InvalidArgument(f"image must be encoded bytes, not {type(image).__name__}")
    if len(image) > limit:
        raise InvalidArgument(f"image is {len(image):,} bytes; Computer Vision accepts up to {limit:,}")


def _box(polygon: Sequence[float], width: float, height: float) -> BoundingBox:
    xs, ys = polygon[0::2], polygon[1::2]
    return BoundingBox(
        left=min(xs) / width,
        top=min(ys) / height,
        width=(max(xs) - min(xs)) / width,
        height=(max(ys) - min(ys)) / height,
    )
