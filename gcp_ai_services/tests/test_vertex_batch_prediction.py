"""Vertex AI batch prediction through plain ``google-cloud-aiplatform``: files in, result files out.

The model itself computes every prediction; bad rows count as failed; Google's error codes for bad input.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import joblib
import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from .conftest import status_of

SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
BUCKET = "vertex-batch"
PROJECT = "cloudai-local"


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK polls a job every 5 s; the local jobs end in well under a second (as test_vertex_lessons)."""
    from google.cloud.aiplatform import jobs

    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.5)


@pytest.fixture
def bucket(clean_google: Any) -> storage.Bucket:
    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
    )
    return storage.Client(project=PROJECT, credentials=AnonymousCredentials()).create_bucket(BUCKET)


@pytest.fixture
def model(bucket: storage.Bucket, tmp_path: Path) -> tuple[aiplatform.Model, Any]:
    """An iris classifier in the Model Registry and the fitted object to check its predictions."""
    X, y = load_iris(return_X_y=True)
    fitted = LogisticRegression(max_iter=300).fit(X, y)
    joblib.dump(fitted, tmp_path / "model.joblib")
    bucket.blob("model/model.joblib").upload_from_filename(str(tmp_path / "model.joblib"))
    uploaded = aiplatform.Model.upload(
        display_name="iris", artifact_uri=f"gs://{BUCKET}/model/", serving_container_image_uri=SERVE_IMAGE
    )
    return uploaded, fitted


def read_lines(job: aiplatform.BatchPredictionJob, kind: str) -> list[dict[str, Any]]:
    blobs = [b for b in job.iter_outputs() if b.name.rsplit("/", 1)[-1].startswith(f"prediction.{kind}")]
    return [json.loads(line) for b in blobs for line in b.download_as_text().splitlines() if line]


def test_jsonl_batch_prediction_counts_bad_rows(
    model: tuple[aiplatform.Model, Any], bucket: storage.Bucket
) -> None:
    uploaded, fitted = model
    rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]
    lines = [json.dumps(r) for r in rows] + ['["not", "numbers", 1, 2]', json.dumps([1.0, 2.0]), "{not json"]
    bucket.blob("input/part-1.jsonl").upload_from_string("\n".join(lines[:3]) + "\n")
    bucket.blob("input/part-2.jsonl").upload_from_string("\n".join(lines[3:]) + "\n")

    job = uploaded.batch_predict(
        job_display_name="iris-batch",
        gcs_source=f"gs://{BUCKET}/input/*.jsonl",
        instances_format="jsonl",
        gcs_destination_prefix=f"gs://{BUCKET}/output",
        sync=True,
    )

    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    folder = job.output_info.gcs_output_directory
    assert folder.startswith(f"gs://{BUCKET}/output/prediction-iris-")
    assert (job.completion_stats.successful_count, job.completion_stats.failed_count) == (3, 3)
    results = read_lines(job, "results")
    assert [r["instance"] for r in results] == rows
    assert [r["prediction"] for r in results] == fitted.predict(rows).tolist()
    failed = read_lines(job, "errors_stats")
    assert [f["instance"] for f in failed] == ["{not json", ["not", "numbers", 1, 2], [1.0, 2.0]]
    assert all(f["error"]["code"] == 3 and f["error"]["message"] for f in failed)


def test_csv_in_the_background_then_list_and_delete(
    model: tuple[aiplatform.Model, Any], bucket: storage.Bucket
) -> None:
    uploaded, fitted = model
    rows = [[6.3, 3.3, 6.0, 2.5], [4.9, 3.0, 1.4, 0.2]]
    csv_text = "sepal_length,sepal_width,petal_length,petal_width\n" + "".join(
        ",".join(map(str, r)) + "\n" for r in rows
    )
    csv_text += "5.0,wide,1.4,0.2\n"  # unquoted text: Vertex reads unquoted CSV values as numbers
    bucket.blob("input/rows.csv").upload_from_string(csv_text)

    job = uploaded.batch_predict(
        job_display_name="iris-csv",
        gcs_source=[f"gs://{BUCKET}/input/rows.csv"],
        instances_format="csv",
        gcs_destination_prefix=f"gs://{BUCKET}/csv-output/",
        sync=False,
    )
    job.wait()

    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    assert [r["prediction"] for r in read_lines(job, "results")] == fitted.predict(rows).tolist()
    (unreadable,) = read_lines(job, "errors_stats")
    assert unreadable["instance"] == "5.0,wide,1.4,0.2" and "row 4" in unreadable["error"]["message"]
    assert [j.resource_name for j in aiplatform.BatchPredictionJob.list()] == [job.resource_name]
    job.delete()
    with pytest.raises(exceptions.NotFound, match="BatchPredictionJob"):
        aiplatform.BatchPredictionJob(job.resource_name)


def test_missing_input_fails_the_job_with_the_reason(model: tuple[aiplatform.Model, Any]) -> None:
    uploaded, _ = model
    with pytest.raises(
        RuntimeError, match="No Cloud Storage object matches .*gs://vertex-batch/nowhere.jsonl"
    ):
        uploaded.batch_predict(
            job_display_name="no-input",
            gcs_source=f"gs://{BUCKET}/nowhere.jsonl",
            gcs_destination_prefix=f"gs://{BUCKET}/output",
            sync=True,
        )
    (job,) = aiplatform.BatchPredictionJob.list()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_FAILED
    assert job.error.code == 5


def test_unknown_model_is_not_found(bucket: storage.Bucket) -> None:
    missing = f"projects/{PROJECT}/locations/us-central1/models/404"
    with pytest.raises(exceptions.NotFound, match=f"Model {missing} not found"):
        aiplatform.BatchPredictionJob.create(
            job_display_name="ghost",
            model_name=missing,
            gcs_source=f"gs://{BUCKET}/in.jsonl",
            gcs_destination_prefix=f"gs://{BUCKET}/out",
            sync=True,
        )


def test_malformed_request_is_invalid_argument(model: tuple[aiplatform.Model, Any]) -> None:
    from google.cloud.aiplatform_v1 import JobServiceClient
    from google.cloud.aiplatform_v1.types import BatchPredictionJob

    uploaded, _ = model
    client = JobServiceClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    job = BatchPredictionJob(
        display_name="bad",
        model=uploaded.resource_name,
        input_config={"instances_format": "tf-record", "gcs_source": {"uris": [f"gs://{BUCKET}/x"]}},
        output_config={"predictions_format": "jsonl", "gcs_destination": {"output_uri_prefix": "gs://b/o"}},
    )
    parent = f"projects/{PROJECT}/locations/us-central1"
    with pytest.raises(exceptions.BadRequest, match="instances_format 'tf-record'") as bad_format:
        client.create_batch_prediction_job(parent=parent, batch_prediction_job=job)
    job.input_config.instances_format = "jsonl"
    job.input_config.gcs_source.uris = []
    with pytest.raises(exceptions.BadRequest, match="gcs_source.uris is required") as no_uris:
        client.create_batch_prediction_job(parent=parent, batch_prediction_job=job)
    assert status_of(bad_format.value) == status_of(no_uris.value) == "INVALID_ARGUMENT"


def test_cancel_a_finished_job_is_failed_precondition(
    model: tuple[aiplatform.Model, Any], bucket: storage.Bucket
) -> None:
    uploaded, _ = model
    bucket.blob("one.jsonl").upload_from_string("[5.0, 3.4, 1.5, 0.2]\n")
    job = uploaded.batch_predict(
        job_display_name="done",
        gcs_source=f"gs://{BUCKET}/one.jsonl",
        gcs_destination_prefix=f"gs://{BUCKET}/out",
        sync=True,
    )
    with pytest.raises(exceptions.BadRequest, match="already JOB_STATE_SUCCEEDED") as refused:
        job.cancel()
    assert status_of(refused.value) == "FAILED_PRECONDITION"
