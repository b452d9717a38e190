"""Vertex AI datasets through plain ``google-cloud-aiplatform``: tabular, image and text; Google's errors for
bad sources, schemas and names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gcp_ai_services.automl.sample_data import churn_csv
from google.api_core import exceptions
from google.cloud import aiplatform
from google.cloud.aiplatform.compat.services import dataset_service_client

from . import automl_support
from .automl_support import upload_text
from .conftest import status_of

automl_bucket = automl_support.automl_bucket
TEXT_SCHEMA = aiplatform.schema.dataset.ioformat.text.single_label_classification


def test_tabular_dataset_create_get_list_update_delete(automl_bucket: Any) -> None:
    uri = upload_text(automl_bucket, "churn.csv", churn_csv(rows=50))
    dataset = aiplatform.TabularDataset.create(display_name="churn", gcs_source=[uri], labels={"team": "ml"})
    assert dataset.metadata_schema_uri == aiplatform.schema.dataset.metadata.tabular
    assert dataset.gca_resource.metadata["inputConfig"]["gcsSource"]["uri"] == [uri]
    assert [d.resource_name for d in aiplatform.TabularDataset.list()] == [dataset.resource_name]
    assert aiplatform.TabularDataset(dataset.name).labels == {"team": "ml"}
    dataset.update(display_name="churn-v2")
    assert aiplatform.TabularDataset(dataset.resource_name).display_name == "churn-v2"
    dataset.delete()
    assert aiplatform.TabularDataset.list() == []
    with pytest.raises(exceptions.NotFound):
        aiplatform.TabularDataset(dataset.resource_name)


def test_bad_sources_are_named(automl_bucket: Any) -> None:
    missing = f"gs://{automl_bucket.name}/nothing-here.csv"
    with pytest.raises(exceptions.GoogleAPICallError) as gone:
        aiplatform.TabularDataset.create(display_name="gone", gcs_source=missing)
    assert missing in str(gone.value)
    one_column = upload_text(automl_bucket, "one.csv", "only\n1\n2\n")
    with pytest.raises(exceptions.GoogleAPICallError) as narrow:
        aiplatform.TabularDataset.create(display_name="narrow", gcs_source=one_column)
    assert one_column in str(narrow.value) and "header" in str(narrow.value)
    with pytest.raises(exceptions.GoogleAPICallError) as no_bigquery:
        aiplatform.TabularDataset.create(display_name="bq", bq_source="bq://p.d.t")
    assert "bigquerySource" in str(no_bigquery.value)
    assert aiplatform.TabularDataset.list() == []


def test_image_import_file_errors_name_file_and_line(automl_bucket: Any) -> None:
    rows = [
        {"imageGcsUri": "gs://b/a.png", "classificationAnnotation": {"displayName": "a"}},
        {"imageGcsUri": "a.png"},
    ]
    source = upload_text(automl_bucket, "bad.jsonl", "\n".join(json.dumps(r) for r in rows))
    with pytest.raises(exceptions.GoogleAPICallError) as bad:
        aiplatform.ImageDataset.create(
            display_name="bad",
            gcs_source=source,
            import_schema_uri=aiplatform.schema.dataset.ioformat.image.single_label_classification,
        )
    assert f"{source} line 2" in str(bad.value) and "gs://" in str(bad.value)


def test_text_dataset_imports_csv_with_ml_use_and_lists_items(automl_bucket: Any) -> None:
    source = upload_text(
        automl_bucket,
        "reviews.csv",
        'training,"Loved it, would buy again",positive\n'
        'test,"Broke after a day",negative\n'
        '"Just fine",neutral\n',
    )
    dataset = aiplatform.TextDataset.create(
        display_name="reviews", gcs_source=source, import_schema_uri=TEXT_SCHEMA
    )
    items = list(dataset_client().list_data_items(parent=dataset.resource_name))
    assert [i.payload["textContent"] for i in items] == [
        "Loved it, would buy again",
        "Broke after a day",
        "Just fine",
    ]
    assert [dict(i.labels) for i in items][:2] == [
        {"aiplatform.googleapis.com/ml_use": "training"},
        {"aiplatform.googleapis.com/ml_use": "test"},
    ]


def test_unknown_dataset_and_schema(automl_bucket: Any) -> None:
    with pytest.raises(exceptions.NotFound) as missing:
        aiplatform.ImageDataset("projects/cloudai-local/locations/us-central1/datasets/123")
    assert status_of(missing.value) == "NOT_FOUND"
    uri = upload_text(automl_bucket, "x.csv", "a,b\n1,2\n")
    dataset = aiplatform.TabularDataset.create(display_name="t", gcs_source=uri)
    config = {"gcs_source": {"uris": [uri]}, "import_schema_uri": TEXT_SCHEMA}
    with pytest.raises(exceptions.BadRequest) as refused:
        dataset_client().import_data(name=dataset.resource_name, import_configs=[config])
    assert status_of(refused.value) == "INVALID_ARGUMENT" and "tabular" in str(refused.value)


def dataset_client() -> Any:
    """The generated client under the SDK, configured as ``aiplatform.init`` configured it."""
    return dataset_service_client.DatasetServiceClient(
        client_options={"api_endpoint": aiplatform.initializer.global_config.api_endpoint},
        credentials=aiplatform.initializer.global_config.credentials,
        transport="rest",
    )
