"""Vertex AI benchmark: ``Endpoint.predict`` via the SDK vs the model directly; a custom job round trip.

Run: .venv/bin/python benchmarks/vertex_predict.py   (starts its own in-process Google backends)

1. Median (p50) of one-row ``Endpoint.predict`` through ``google-cloud-aiplatform`` (REST) to the Google
   emulator, serving an sklearn iris model as the prebuilt sklearn image does, against ``model.predict`` on
   the same model loaded in this process. The difference is the emulator's overhead (goal <= 5 ms).
2. A ``CustomJob`` from a local script (iris training): the SDK round trip (package, stage, create, poll at
   the SDK's own 5 s interval, unchanged) and the server-side run (``endTime - createTime``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PREDICTS = 200
ROW = [[5.9, 3.0, 4.2, 1.5]]
TRAIN_IMAGE = "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"
SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
SCRIPT = """
import os, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model_dir = os.environ["AIP_MODEL_DIR"].replace("gs://", "/gcs/")
os.makedirs(model_dir, exist_ok=True)
joblib.dump(LogisticRegression(max_iter=300).fit(X, y), os.path.join(model_dir, "model.joblib"))
"""


def median_ms(action: Callable[[], object], repeats: int = PREDICTS) -> float:
    for _ in range(10):
        action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    import joblib
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import aiplatform, storage
    from multi_cloud.local_cloud import LocalCloud
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    cloud = LocalCloud(["gcp", "gcs"], preferred_ports=False).start()
    previous = cloud.apply_env()
    try:
        bucket = storage.Client(project="bench", credentials=AnonymousCredentials()).create_bucket("bench")
        aiplatform.init(
            project="bench",
            location="us-central1",
            api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
            api_transport="rest",
            credentials=AnonymousCredentials(),
            staging_bucket="gs://bench",
        )
        with tempfile.TemporaryDirectory() as work:
            model = LogisticRegression(max_iter=300).fit(*load_iris(return_X_y=True))
            joblib.dump(model, Path(work, "model.joblib"))
            bucket.blob("iris/model.joblib").upload_from_filename(str(Path(work, "model.joblib")))
            loaded = joblib.load(Path(work, "model.joblib"))
            registered = aiplatform.Model.upload(
                display_name="iris", artifact_uri="gs://bench/iris/", serving_container_image_uri=SERVE_IMAGE
            )
            endpoint = registered.deploy(machine_type="n1-standard-2")
            direct = median_ms(lambda: loaded.predict(ROW))
            through_sdk = median_ms(lambda: endpoint.predict(instances=ROW))
            print(f"Endpoint.predict p50 via SDK: {through_sdk:.2f} ms; model.predict: {direct:.2f} ms;")
            print(f"overhead {through_sdk - direct:.2f} ms over {PREDICTS} requests (goal <= 5 ms)")
            endpoint.undeploy_all()

            Path(work, "task.py").write_text(SCRIPT)
            started = time.perf_counter()
            job = aiplatform.CustomJob.from_local_script(
                display_name="bench", script_path=str(Path(work, "task.py")), container_uri=TRAIN_IMAGE
            )
            job.run()
            round_trip = time.perf_counter() - started
            resource = job.gca_resource
            server = (resource.end_time - resource.create_time).total_seconds()
            print(f"CustomJob round trip via SDK: {round_trip:.2f} s (the SDK polls every 5 s); ", end="")
            print(f"server-side run {server:.2f} s ({job.state.name})")
    finally:
        cloud.restore_env(previous)
        cloud.stop()


if __name__ == "__main__":
    main()
