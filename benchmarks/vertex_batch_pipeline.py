"""Vertex AI benchmark: server-side time of a batch prediction job and of a two-task KFP pipeline.

Run: .venv/bin/python benchmarks/vertex_batch_pipeline.py   (starts its own in-process Google backends)

1. ``Model.batch_predict`` over ``ROWS`` JSON Lines instances (an sklearn iris model, the prebuilt sklearn
   image's conventions): the job's ``endTime - createTime`` (read, predict in batches of 64, write results).
2. ``PipelineJob`` of two lightweight Python components passing an artifact: ``endTime - createTime``, i.e.
   two executor subprocesses (each imports kfp) plus the artifact upload.
The SDK's own 5 s poll interval is left unchanged, so only the server-side times are reported.
"""

# no `from __future__ import annotations`: kfp reads the component annotations as types

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROWS = 10_000
SERVE_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"


def seconds(resource: Any) -> float:
    def parse(stamp: Any) -> datetime:
        return stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))

    return (parse(resource.end_time) - parse(resource.create_time)).total_seconds()


def pipeline_yaml(path: Path) -> str:
    from kfp import compiler, dsl
    from kfp.dsl import Dataset, Input, Output

    @dsl.component(base_image="python:3.11")
    def produce(rows: int, data: Output[Dataset]) -> None:
        with open(data.path, "w") as handle:
            handle.write("\n".join(str(i) for i in range(rows)))

    @dsl.component(base_image="python:3.11")
    def consume(data: Input[Dataset]) -> int:
        return sum(1 for _ in open(data.path))

    @dsl.pipeline(name="bench-pipeline")
    def pipeline(rows: int = 1000) -> None:
        consume(data=produce(rows=rows).outputs["data"])

    compiler.Compiler().compile(pipeline, str(path))
    return str(path)


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
            service_account="bench@bench.iam.gserviceaccount.com",
        )
        with tempfile.TemporaryDirectory() as work:
            X, y = load_iris(return_X_y=True)
            joblib.dump(LogisticRegression(max_iter=300).fit(X, y), Path(work, "model.joblib"))
            bucket.blob("iris/model.joblib").upload_from_filename(str(Path(work, "model.joblib")))
            rows = [X[i % len(X)].tolist() for i in range(ROWS)]
            bucket.blob("in/rows.jsonl").upload_from_string("".join(json.dumps(r) + "\n" for r in rows))
            model = aiplatform.Model.upload(
                display_name="iris", artifact_uri="gs://bench/iris/", serving_container_image_uri=SERVE_IMAGE
            )
            job = model.batch_predict(
                job_display_name="bench",
                gcs_source="gs://bench/in/rows.jsonl",
                gcs_destination_prefix="gs://bench/out",
                sync=True,
            )
            print(f"batch prediction of {ROWS} rows: {seconds(job.gca_resource):.2f} s server-side")
            run = aiplatform.PipelineJob(
                display_name="bench",
                template_path=pipeline_yaml(Path(work, "pipeline.yaml")),
                pipeline_root="gs://bench-root/root",
            )
            run.run(sync=True)
            counted = {t.task_name: t.execution.metadata.get("output:Output") for t in run.task_details}
            print(f"two-task pipeline: {seconds(run.gca_resource):.2f} s server-side; outputs {counted}")
    finally:
        cloud.restore_env(previous)
        cloud.stop()


if __name__ == "__main__":
    main()
