"""Azure ML benchmark: online scoring p50 through HTTPS vs the model directly; a command job round trip.

Run: .venv/bin/python benchmarks/azure_ml.py   (starts the Azure emulator and Azurite in this process; run
``cloudai local install azurite`` once first)

1. A managed online deployment serving a scikit-learn model with a scoring script (``init()``/``run()``), as
   Microsoft's docs deploy it through ``MLClient``; then the median of one-row requests POSTed to its
   ``scoring_uri`` with the endpoint key (what any client sends), against ``model.predict`` on the same model
   in this process. The difference is the emulator's overhead (goal <= 5 ms).
2. A command job (a short script) through ``ml_client.jobs.create_or_update`` until ``Completed``: the SDK's
   round trip, polled at 1 s as a learner's loop would.
"""

from __future__ import annotations

import pickle
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REQUESTS = 200
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
ENVIRONMENT = "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest"
SCORE = """
import json, os, pickle

model = None

def init():
    global model
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model", "model.pkl"), "rb") as f:
        model = pickle.load(f)

def run(raw_data):
    return model.predict(json.loads(raw_data)["data"]).tolist()
"""


def median_ms(action: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    import requests
    from azure.ai.ml import MLClient, command
    from azure.ai.ml.entities import (
        AmlCompute,
        CodeConfiguration,
        ManagedOnlineDeployment,
        ManagedOnlineEndpoint,
        Model,
    )
    from azure.identity import DefaultAzureCredential
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud import LocalCloud
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    cloud = LocalCloud(["azure", "azurite"], preferred_ports=False).start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    try:
        work = Path(tempfile.mkdtemp(prefix="bench-azureml-"))
        features, labels = load_iris(return_X_y=True)
        classifier = LogisticRegression(max_iter=500).fit(features, labels)
        (work / "model").mkdir()
        (work / "model" / "model.pkl").write_bytes(pickle.dumps(classifier))
        (work / "code").mkdir()
        (work / "code" / "score.py").write_text(SCORE)
        ml_client = MLClient(DefaultAzureCredential(), SUBSCRIPTION, "bench-rg", "bench-ws")
        model = ml_client.models.create_or_update(Model(path=str(work / "model"), name="bench-iris"))
        ml_client.online_endpoints.begin_create_or_update(
            ManagedOnlineEndpoint(name="bench-ep", auth_mode="key")
        ).result()
        ml_client.online_deployments.begin_create_or_update(
            ManagedOnlineDeployment(
                name="blue",
                endpoint_name="bench-ep",
                model=model,
                code_configuration=CodeConfiguration(code=str(work / "code"), scoring_script="score.py"),
                environment=ENVIRONMENT,
                instance_type="Standard_DS3_v2",
                instance_count=1,
            )
        ).result()
        endpoint = ml_client.online_endpoints.get("bench-ep")
        endpoint.traffic = {"blue": 100}
        ml_client.online_endpoints.begin_create_or_update(endpoint).result()
        uri = ml_client.online_endpoints.get("bench-ep").scoring_uri
        key = ml_client.online_endpoints.get_keys("bench-ep").primary_key
        session = requests.Session()
        row = [list(features[0])]

        def score() -> object:
            answer = session.post(
                uri, json={"data": row}, headers={"Authorization": f"Bearer {key}"}, timeout=30
            )
            answer.raise_for_status()
            return answer.json()

        score()  # warm: the first request loads nothing more, but opens the TLS connection
        wire = median_ms(score, REQUESTS)
        direct = median_ms(lambda: classifier.predict(row), REQUESTS)
        print(f"\n== Azure ML online endpoint, one row, p50 of {REQUESTS}")
        print(f"scoring_uri (HTTPS, key, init/run worker) {wire:8.2f} ms")
        print(f"model.predict in-process                  {direct:8.2f} ms")
        print(f"overhead                                  {wire - direct:8.2f} ms  (goal <= 5 ms)")
        ml_client.online_endpoints.begin_delete("bench-ep").result()

        ml_client.compute.begin_create_or_update(
            AmlCompute(name="cpu-cluster", size="STANDARD_DS3_V2", min_instances=0, max_instances=1)
        ).result()
        (work / "job").mkdir()
        (work / "job" / "train.py").write_text("print('accuracy=0.97')\n")
        started = time.perf_counter()
        job = ml_client.jobs.create_or_update(
            command(
                code=str(work / "job"), command="python train.py", environment=ENVIRONMENT, compute="local"
            )
        )
        while ml_client.jobs.get(job.name).status not in ("Completed", "Failed", "Canceled"):
            time.sleep(1)
        status = ml_client.jobs.get(job.name).status
        print(f"\n== Azure ML command job round trip: {time.perf_counter() - started:.1f} s ({status})")
    finally:
        cloud.restore_env(previous)
        cloud.stop()


if __name__ == "__main__":
    main()
