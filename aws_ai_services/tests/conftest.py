"""Shared helpers for the AWS tests: a plain boto3 client, tiny training scripts, an iris model artifact."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from multi_cloud.core.settings import get_settings

#: a training script with no heavy imports: fails, sleeps or writes a small model on request
TINY_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    if "--pid-file" in args:
        open(args["--pid-file"], "w").write(str(os.getpid()))
        time.sleep(60)
    if args.get("--fail") == "true":
        print("reading the data", flush=True)
        sys.exit("bad input: the data has no label column")
    files = sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))
    print(f"files={len(files)}")
    print(f"alpha={float(args.get('--alpha', 0))}")
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "weights.json"), "w") as out:
        json.dump({"files": files}, out)
    os.makedirs(os.environ["SM_OUTPUT_DATA_DIR"], exist_ok=True)
    with open(os.path.join(os.environ["SM_OUTPUT_DATA_DIR"], "report.txt"), "w") as out:
        out.write("ok")
    """
)


@pytest.fixture
def provider(clean_cloud) -> AWSProvider:  # type: ignore[no-untyped-def]
    return AWSProvider()


@pytest.fixture
def boto_client(clean_cloud):  # type: ignore[no-untyped-def]
    """A plain boto3 client factory, independent of the code under test."""
    import boto3

    session = boto3.session.Session(region_name=get_settings().aws.region)
    return session.client


@pytest.fixture
def tiny_script(tmp_path: Path) -> Path:
    script = tmp_path / "code" / "tiny_train.py"
    script.parent.mkdir()
    script.write_text(TINY_SCRIPT)
    return script


@pytest.fixture(scope="session")
def ai_emulator(local_cloud):  # type: ignore[no-untyped-def]
    """The AWS AI emulator beside moto: the local cloud's own once its entry point is installed, else one
    started here for the session, with its AWS_ENDPOINT_URL_<SERVICE> variables exported."""
    import os

    from aws_ai_services.emulator.backend import AWSAIEmulatorBackend
    from aws_ai_services.session import clear_client_cache

    running = next((b for b in local_cloud.backends if b.name == AWSAIEmulatorBackend.name), None)
    if running is not None:
        yield running
        return
    backend = AWSAIEmulatorBackend()
    backend.use_preferred_port = False
    backend.start()
    previous = {key: os.environ.get(key) for key in backend.env()}
    os.environ.update(backend.env())
    clear_client_cache()
    try:
        yield backend
    finally:
        local_cloud.restore_env(previous)
        backend.stop()
        clear_client_cache()


@pytest.fixture
def ai_cloud(clean_cloud, ai_emulator):  # type: ignore[no-untyped-def]
    """moto and the AWS AI emulator, both with their state forgotten before this test."""
    ai_emulator.reset()
    return ai_emulator


@pytest.fixture
def iris_endpoint(boto_client):  # type: ignore[no-untyped-def]
    """A factory: ``iris_endpoint(prefix, variants)`` creates with plain boto3 an endpoint whose variants all
    serve a logistic regression fit on iris; bucket, model, config and endpoint share the name returned."""
    import tempfile
    import uuid

    import joblib
    from multi_cloud.emulation.jobs.script_mode import pack_model_dir
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    def create(prefix: str, variants: tuple[str, ...] = ("AllTraffic",)) -> str:
        s3, sagemaker = boto_client("s3"), boto_client("sagemaker")
        name = f"{prefix}-{uuid.uuid4().hex[:6]}"
        s3.create_bucket(Bucket=name)
        with tempfile.TemporaryDirectory() as work:
            model = LogisticRegression(max_iter=300).fit(*load_iris(return_X_y=True))
            joblib.dump(model, Path(work) / "model.joblib")
            s3.put_object(Bucket=name, Key="model.tar.gz", Body=pack_model_dir(Path(work)))
        sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={"Image": "sklearn", "ModelDataUrl": f"s3://{name}/model.tar.gz"},
        )
        sagemaker.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": v,
                    "ModelName": name,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
                for v in variants
            ],
        )
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
        return name

    return create
