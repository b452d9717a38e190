"""Model monitoring: endpoints log sampled requests, and drift is computed from the log as Vertex measures it.

Request-response logging is set on the endpoint with plain ``google-cloud-aiplatform``; the emulator writes
the rows Vertex would stream to BigQuery into local Cloud Storage; ``vertex_ai.monitoring`` computes
Jensen-Shannon / L-infinity distances against the training data.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import joblib
import pytest
from gcp_ai_services.vertex_ai import monitoring
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from .conftest import status_of

SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
PROJECT = "cloudai-local"
BUCKET = "vertex-monitoring"
LOG_BUCKET = f"{PROJECT}-request-response-logging"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


@pytest.fixture
def model(clean_google: Any, tmp_path: Path) -> aiplatform.Model:
    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
    )
    bucket = storage.Client(project=PROJECT, credentials=AnonymousCredentials()).create_bucket(BUCKET)
    X, y = load_iris(return_X_y=True)
    joblib.dump(LogisticRegression(max_iter=300).fit(X, y), tmp_path / "model.joblib")
    bucket.blob("iris/model.joblib").upload_from_filename(str(tmp_path / "model.joblib"))
    return aiplatform.Model.upload(
        display_name="iris", artifact_uri=f"gs://{BUCKET}/iris/", serving_container_image_uri=SERVE_IMAGE
    )


def test_logged_requests_show_drift_in_the_shifted_feature(model: aiplatform.Model) -> None:
    endpoint = aiplatform.Endpoint.create(
        display_name="iris-monitored",
        enable_request_response_logging=True,
        request_response_logging_sampling_rate=1.0,
        request_response_logging_bq_destination_table=f"bq://{PROJECT}.monitoring.iris_requests",
    )
    model.deploy(endpoint=endpoint, machine_type="n1-standard-2")
    training = load_iris().data.tolist()
    for start in range(0, 150, 50):
        endpoint.predict(instances=training[start : start + 50])
    shifted = [[a, b, c + 4.0, d] for a, b, c, d in training]
    endpoint.predict(instances=shifted)

    rows = monitoring.read_request_log(LOG_BUCKET, "monitoring/iris_requests/")
    assert len(rows) == 4 and {r["endpoint"] for r in rows} == {endpoint.resource_name}
    assert {r["deployed_model_id"] for r in rows} == {endpoint.list_models()[0].id}
    logged = [monitoring.instances_from_log_rows([row]) for row in rows]
    normal = [instance for batch in logged[:3] for instance in batch]
    assert normal == training

    unchanged = monitoring.detect_drift(training, normal, FEATURES)
    assert [d.distance for d in unchanged] == [0.0, 0.0, 0.0, 0.0]
    drifted = {d.feature: d for d in monitoring.detect_drift(training, logged[3], FEATURES)}
    assert drifted["petal_length"].alert and drifted["petal_length"].distance > 0.5
    assert not any(drifted[f].alert for f in ("sepal_length", "sepal_width", "petal_width"))


def test_an_endpoint_without_logging_writes_nothing(model: aiplatform.Model) -> None:
    endpoint = aiplatform.Endpoint.create(display_name="quiet")
    model.deploy(endpoint=endpoint, machine_type="n1-standard-2")
    endpoint.predict(instances=[[5.1, 3.5, 1.4, 0.2]])
    client = storage.Client(project=PROJECT, credentials=AnonymousCredentials())
    assert LOG_BUCKET not in [b.name for b in client.list_buckets()]


def test_distances_match_their_definitions() -> None:
    assert monitoring.jensen_shannon([0.0] * 10, [1.0] * 10, bins=2) == pytest.approx(1.0)
    assert monitoring.jensen_shannon([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 0.0
    assert monitoring.l_infinity(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(0.25)
    categorical = monitoring.detect_drift(
        [["red"], ["red"]], [["blue"], ["red"]], ["color"], categorical=["color"]
    )
    assert (categorical[0].metric, categorical[0].distance, categorical[0].alert) == ("l_infinity", 0.5, True)


def test_bad_logging_config_is_invalid_argument_and_monitoring_jobs_are_unimplemented(
    clean_google: Any,
) -> None:
    from google.cloud.aiplatform_v1 import JobServiceClient

    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
    )
    with pytest.raises(exceptions.BadRequest, match="sampling_rate 1.5") as bad:
        aiplatform.Endpoint.create(
            display_name="bad",
            enable_request_response_logging=True,
            request_response_logging_sampling_rate=1.5,
        )
    assert status_of(bad.value) == "INVALID_ARGUMENT"
    client = JobServiceClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )
    with pytest.raises(exceptions.MethodNotImplemented, match="modelDeploymentMonitoringJobs"):
        client.create_model_deployment_monitoring_job(
            parent=f"projects/{PROJECT}/locations/us-central1",
            model_deployment_monitoring_job={"display_name": "watch", "endpoint": "x"},
        )
