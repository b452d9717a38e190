"""AWS AI emulator benchmark: InvokeEndpoint and DetectFaces round trips through boto3 vs the bare engines.

Run: .venv/bin/python benchmarks/aws_ai.py   (starts moto and the AWS AI emulator in this process)

The overhead of InvokeEndpoint is its p50 minus the p50 of calling the same loaded model directly; it
includes boto3 (serialise, sign, parse), the HTTP hop to the emulator, the endpoint lookup (no HTTP:
the endpoint is resolved in moto's in-process backend, see aws_ai_services.emulator.sagemaker_endpoints),
the weighted variant choice, the CSV codec and the CloudWatch invocation metrics SageMaker publishes
server-side (also straight into moto's in-process backend). Goal: <= 5 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROW = [5.9, 3.0, 4.2, 1.5]
INVOKE_REPEATS = 300
FACE_REPEATS = 30


def percentile_ms(action: Callable[[], object], repeats: int, q: float = 0.5) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.quantiles(samples, n=100)[int(q * 100) - 1] if q != 0.5 else statistics.median(samples)


def deploy_iris(tmp: Path) -> tuple[str, str]:
    """(endpoint name, artifact URI) of a logistic-regression iris model deployed to moto."""
    import joblib
    from aws_ai_services.client import AWSProvider
    from multi_cloud.emulation.jobs.script_mode import pack_model_dir
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    (tmp / "model").mkdir()
    joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), tmp / "model" / "model.joblib")
    aws = AWSProvider()
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    aws.storage.create_bucket(bucket)
    aws.storage.put_object(bucket, "iris/model.tar.gz", pack_model_dir(tmp / "model"))
    artifact = aws.storage.uri(bucket, "iris/model.tar.gz")
    aws.models.deploy(artifact, bucket)
    return bucket, artifact


def main() -> None:
    import os

    import boto3
    from aws_ai_services.emulator.backend import AWSAIEmulatorBackend
    from aws_ai_services.emulator.control_plane import ControlPlane
    from aws_ai_services.emulator.sagemaker_serving.artifacts import Artifacts
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud import LocalCloud
    from multi_cloud.onprem.engines.faces import detect_faces
    from multi_cloud.onprem.engines.imaging import decode_image
    from multi_cloud.testing.conformance import media

    cloud = LocalCloud(["moto"], preferred_ports=False).start()
    previous = cloud.apply_env()
    emulator = AWSAIEmulatorBackend()
    emulator.use_preferred_port = False
    emulator.start()
    os.environ.update(emulator.env())
    get_settings.cache_clear()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            endpoint, artifact = deploy_iris(Path(tmp))
        runtime = boto3.client("sagemaker-runtime")
        body = ",".join(str(v) for v in ROW)

        def invoke() -> bytes:
            answer = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType="text/csv")
            return bytes(answer["Body"].read())

        loaded = Artifacts(ControlPlane(), "123456789012", get_settings().aws.region).load(artifact)
        sagemaker = ControlPlane().client("sagemaker")
        for _ in range(20):  # warm up: model cache, connection set-up, botocore loaders
            invoke()
            loaded.predict([ROW])
        invoke_p50 = percentile_ms(invoke, INVOKE_REPEATS)
        invoke_p90 = percentile_ms(invoke, INVOKE_REPEATS, 0.9)
        direct_p50 = percentile_ms(lambda: loaded.predict([ROW]), INVOKE_REPEATS)
        describe_p50 = percentile_ms(lambda: sagemaker.describe_endpoint(EndpointName=endpoint), 100)

        rekognition = boto3.client("rekognition")
        portrait = media.portrait_jpeg()
        rekognition.detect_faces(Image={"Bytes": portrait})
        faces_p50 = percentile_ms(lambda: rekognition.detect_faces(Image={"Bytes": portrait}), FACE_REPEATS)
        engine_p50 = percentile_ms(lambda: detect_faces(decode_image(portrait).pixels), FACE_REPEATS)
    finally:
        emulator.stop()
        cloud.restore_env(previous)
        cloud.stop()
        get_settings.cache_clear()

    rows = [
        ("invoke_endpoint p50 (boto3 -> emulator -> model)", invoke_p50),
        ("invoke_endpoint p90", invoke_p90),
        ("model.predict p50 (same model, in-process)", direct_p50),
        ("invoke_endpoint overhead p50 (goal <= 5 ms)", invoke_p50 - direct_p50),
        ("(avoided) one moto DescribeEndpoint over HTTP p50", describe_p50),
        (f"detect_faces p50 (boto3 -> emulator, {len(portrait) // 1024} KB JPEG)", faces_p50),
        ("on-prem decode + detect_faces p50 (same image)", engine_p50),
        ("detect_faces overhead p50", faces_p50 - engine_p50),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  {'ms':>8}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:8.2f}")


if __name__ == "__main__":
    main()
