"""VisionAutoML: an image dataset imported from a JSON Lines file, AutoML image classification, predictions.

Locally the model is EfficientNet-Lite0 features plus a linear classifier; on Vertex, Google's own network.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gcp_ai_services.automl.common import AutoMLBase, TrainedModel, trained_model
from gcp_ai_services.errors import google_errors


@dataclass(frozen=True)
class ImageLabel:
    label: str
    confidence: float


def import_lines(images: Mapping[str, Iterable[str]]) -> str:
    """The JSON Lines import file for ``{label: [gs:// image URIs]}`` (single-label classification)."""
    rows = [
        {"imageGcsUri": uri, "classificationAnnotation": {"displayName": label}}
        for label, uris in images.items()
        for uri in uris
    ]
    return "\n".join(json.dumps(row) for row in rows) + "\n"


class VisionAutoML(AutoMLBase):
    def create_dataset(self, display_name: str, import_file: str) -> str:
        """An ``ImageDataset`` with the images ``import_file`` (``gs://…jsonl``) lists; its resource name."""
        aiplatform = self._sdk()
        with google_errors("vertex.create_dataset"):
            dataset = aiplatform.ImageDataset.create(
                display_name=display_name,
                gcs_source=import_file,
                import_schema_uri=aiplatform.schema.dataset.ioformat.image.single_label_classification,
            )
            return str(dataset.resource_name)

    def train(
        self, dataset: str, *, budget_milli_node_hours: int = 8000, display_name: str = "automl-image"
    ) -> TrainedModel:
        """Run an ``AutoMLImageTrainingJob`` (single-label classification) to the end."""
        aiplatform = self._sdk()
        with google_errors("vertex.automl_image"):
            job = aiplatform.AutoMLImageTrainingJob(
                display_name=display_name, prediction_type="classification"
            )
            model = job.run(
                dataset=aiplatform.ImageDataset(dataset),
                budget_milli_node_hours=budget_milli_node_hours,
                model_display_name=display_name,
            )
            return trained_model(job, model)

    def classify(self, endpoint: str, image: bytes, *, max_predictions: int = 3) -> list[ImageLabel]:
        """The endpoint's labels for one encoded image, most confident first."""
        [answer] = self.predict(
            endpoint, [{"content": base64.b64encode(image).decode()}], {"maxPredictions": max_predictions}
        )
        return [
            ImageLabel(str(n), float(c))
            for n, c in zip(answer["displayNames"], answer["confidences"], strict=True)
        ]
