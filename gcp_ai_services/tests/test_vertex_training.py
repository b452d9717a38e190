"""Vertex AI training through plain ``google-cloud-aiplatform``: the script really runs in the emulator.

``CustomTrainingJob`` packages ``script_path`` as the SDK always does, uploads it to the staging bucket and
creates a training pipeline; the emulator runs it under Vertex's contract, syncs ``AIP_MODEL_DIR`` to
``baseOutputDirectory/model/`` and uploads the model, which then really predicts.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage

from .conftest import status_of

TRAIN_IMAGE = "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"
SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
BUCKET = "vertex-staging"

IRIS_SCRIPT = """
import argparse, json, os
import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--max-iter", type=int, default=200)
args = parser.parse_args()
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=args.max_iter).fit(X, y)
# Vertex mounts Cloud Storage at /gcs/; the usual idiom writes AIP_MODEL_DIR through it
model_dir = os.environ["AIP_MODEL_DIR"].replace("gs://", "/gcs/")
os.makedirs(model_dir, exist_ok=True)
joblib.dump(model, os.path.join(model_dir, "model.joblib"))
seen = {k: v for k, v in os.environ.items() if k.startswith("AIP_") or k == "CLUSTER_SPEC"}
json.dump({"env": seen, "max_iter": args.max_iter}, open(os.path.join(model_dir, "contract.json"), "w"))
print("accuracy", model.score(X, y))
"""


@pytest.fixture
def vertex(clean_google: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> storage.Bucket:
    """``aiplatform.init`` as the docs write it, pointed at the emulator; the staging bucket created."""
    from google.cloud.aiplatform import jobs, training_jobs

    # the SDK polls jobs every 5 s; a local job finishes in about one, so poll faster (behaviour unchanged)
    monkeypatch.setattr(training_jobs, "_JOB_WAIT_TIME", 0.5)
    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.5)
    bucket = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).create_bucket(BUCKET)
    aiplatform.init(
        project="cloudai-local",
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
        staging_bucket=f"gs://{BUCKET}",
    )
    return bucket


def script(tmp_path: Path, source: str) -> str:
    path = tmp_path / "task.py"
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_custom_training_job_trains_uploads_and_the_model_predicts(
    vertex: storage.Bucket, tmp_path: Path
) -> None:
    job = aiplatform.CustomTrainingJob(
        display_name="iris",
        script_path=script(tmp_path, IRIS_SCRIPT),
        container_uri=TRAIN_IMAGE,
        requirements=["scikit-learn"],
        model_serving_container_image_uri=SERVE_IMAGE,
    )
    model = job.run(args=["--max-iter", "300"], replica_count=1, machine_type="n1-standard-4")

    assert job.state.name == "PIPELINE_STATE_SUCCEEDED"
    assert model is not None and model.version_id == "1" and "default" in model.version_aliases
    base = model.uri.rstrip("/").rsplit("/", 1)[0]
    contract = json.loads(
        vertex.blob(f"{base.split(BUCKET + '/', 1)[1]}/model/contract.json").download_as_bytes()
    )
    assert contract["max_iter"] == 300
    assert json.loads(contract["env"]["CLUSTER_SPEC"])["task"] == {"type": "workerpool0", "index": 0}
    assert {"AIP_MODEL_DIR", "AIP_CHECKPOINT_DIR"} <= set(contract["env"])

    endpoint = model.deploy(machine_type="n1-standard-2")
    answer = endpoint.predict(instances=[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])
    assert answer.predictions == [0, 2]
    assert answer.deployed_model_id == endpoint.list_models()[0].id
    endpoint.undeploy_all()
    endpoint.delete()


def test_custom_job_from_a_local_script_runs_under_the_contract(
    vertex: storage.Bucket, tmp_path: Path
) -> None:
    job = aiplatform.CustomJob.from_local_script(
        display_name="contract",
        script_path=script(tmp_path, IRIS_SCRIPT),
        container_uri=TRAIN_IMAGE,
        args=["--max-iter", "150"],
        base_output_dir=f"gs://{BUCKET}/contract-run",
    )
    job.run()

    assert job.state.name == "JOB_STATE_SUCCEEDED"
    assert vertex.blob("contract-run/model/model.joblib").exists()
    contract = json.loads(vertex.blob("contract-run/model/contract.json").download_as_bytes())
    assert contract["max_iter"] == 150


def test_a_prebuilt_training_image_runs_its_command(vertex: storage.Bucket) -> None:
    code = "import os; d = os.environ['AIP_MODEL_DIR']\n"
    code += "open(os.path.join(d, 'model.txt'), 'w').write(os.environ['WHO'])"
    pool = {
        "machine_spec": {"machine_type": "n1-standard-4"},
        "replica_count": 1,
        "container_spec": {
            "image_uri": TRAIN_IMAGE,
            "command": ["python3", "-c", code],
            "env": [{"name": "WHO", "value": "me"}],
        },
    }
    job = aiplatform.CustomJob(
        display_name="command", worker_pool_specs=[pool], base_output_dir=f"gs://{BUCKET}/command-run"
    )
    job.run()
    assert job.state.name == "JOB_STATE_SUCCEEDED"
    assert vertex.blob("command-run/model/model.txt").download_as_bytes() == b"me"


def test_a_crashing_script_fails_the_job_with_its_error(vertex: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.CustomJob.from_local_script(
        display_name="crash",
        script_path=script(tmp_path, "raise SystemExit('no training data at ' + 'gs://nowhere')\n"),
        container_uri=TRAIN_IMAGE,
    )
    with pytest.raises(RuntimeError, match="no training data at gs://nowhere"):
        job.run()
    assert job.state.name == "JOB_STATE_FAILED"


def test_a_running_job_can_be_cancelled(vertex: storage.Bucket, tmp_path: Path) -> None:
    job = aiplatform.CustomJob.from_local_script(
        display_name="slow",
        script_path=script(tmp_path, "import time\ntime.sleep(60)\n"),
        container_uri=TRAIN_IMAGE,
    )
    job.submit()
    job.cancel()
    with pytest.raises(
        RuntimeError, match="CANCELLED"
    ):  # the SDK raises for a cancelled job, as in the cloud
        job.wait_for_completion()
    assert job.state.name == "JOB_STATE_CANCELLED"


def test_bad_jobs_get_googles_codes(vertex: storage.Bucket) -> None:
    with pytest.raises(exceptions.NotFound) as caught:
        aiplatform.CustomJob.get("projects/cloudai-local/locations/us-central1/customJobs/404")
    assert status_of(caught.value) == "NOT_FOUND" and "customJobs/404" in caught.value.message
    own_image = {
        "machine_spec": {"machine_type": "n1-standard-4"},
        "replica_count": 1,
        "container_spec": {"image_uri": "gcr.io/me/my-trainer:1"},
    }
    with pytest.raises(exceptions.BadRequest) as caught:
        aiplatform.CustomJob(
            display_name="own-image", worker_pool_specs=[own_image], staging_bucket=f"gs://{BUCKET}"
        ).run()
    assert (
        status_of(caught.value) == "FAILED_PRECONDITION" and "gcr.io/me/my-trainer:1" in caught.value.message
    )
    with pytest.raises(exceptions.BadRequest) as caught:
        aiplatform.CustomJob(
            display_name="empty", worker_pool_specs=[], staging_bucket=f"gs://{BUCKET}"
        ).run()
    assert status_of(caught.value) == "INVALID_ARGUMENT" and "workerPoolSpecs" in caught.value.message
