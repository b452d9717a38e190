"""SageMaker over the wire to moto: the model conformance suite plus what SageMaker itself records."""

from __future__ import annotations

import io
import os
import tarfile
import uuid
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.settings import get_settings
from multi_cloud.core.types import TrainingSpec
from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
from multi_cloud.emulation.jobs.script_mode import pack_model_dir, unpack_model
from multi_cloud.testing.conformance.models import IRIS_CLASSES, IRIS_ROWS, ModelConformance


class TestSageMakerModelConformance(ModelConformance):
    @pytest.fixture
    def provider(self, clean_cloud):  # type: ignore[no-untyped-def]
        return AWSProvider()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _tar_members(archive: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        return sorted(tar.getnames())


@pytest.fixture
def iris_artifact(provider: AWSProvider, tmp_path: Path) -> str:
    """A logistic-regression iris model packed as model.tar.gz in S3 (fitted here, in-process)."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), model_dir / "model.joblib")
    bucket = unique("models")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "iris/model.tar.gz", pack_model_dir(model_dir))
    return provider.storage.uri(bucket, "iris/model.tar.gz")


def _upload_dir(provider: AWSProvider, files: dict[str, bytes]) -> str:
    bucket = unique("data")
    provider.storage.create_bucket(bucket)
    for key, body in files.items():
        provider.storage.put_object(bucket, key, body)
    return provider.storage.uri(bucket, "train/")


# ---------------------------------------------------------------------------------------------- training
def test_training_job_is_recorded_and_its_artifact_is_the_trained_model(
    provider: AWSProvider, boto_client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    train_uri = _upload_dir(provider, {"train/iris.csv": iris_csv()})
    spec = TrainingSpec(
        name=unique("iris"),
        entry_point=str(SKLEARN_CLASSIFIER),
        hyperparameters={"n-estimators": 15, "model": "random_forest"},
        inputs={"train": train_uri},
    )
    job = provider.models.train(spec)
    assert job.status == "Completed", job.failure_reason
    assert job.hyperparameters == {"n-estimators": "15", "model": "random_forest"}
    assert job.metrics["train:samples"] == 150
    assert job.duration_seconds and job.duration_seconds > 0

    described = boto_client("sagemaker").describe_training_job(TrainingJobName=spec.name)
    settings = get_settings()
    assert described["HyperParameters"]["n-estimators"] == "15"
    assert described["HyperParameters"]["model"] == '"random_forest"'  # JSON-encoded, as the SDK sends
    assert described["HyperParameters"]["sagemaker_program"] == '"train_sklearn.py"'
    assert "sagemaker-scikit-learn" in described["AlgorithmSpecification"]["TrainingImage"]
    assert described["AlgorithmSpecification"]["TrainingInputMode"] == "File"
    assert described["RoleArn"] == settings.aws.sagemaker_role_arn
    assert described["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == train_uri
    assert described["ModelArtifacts"]["S3ModelArtifacts"] == job.model_artifact
    assert job.model_artifact == f"s3://{settings.aws.artifact_bucket}/{spec.name}/output/model.tar.gz"

    archive = (
        boto_client("s3")
        .get_object(Bucket=settings.aws.artifact_bucket, Key=f"{spec.name}/output/model.tar.gz")["Body"]
        .read()
    )
    assert _tar_members(archive) == ["model.joblib"]
    import joblib

    model = joblib.load(unpack_model(archive, tmp_path / "unpacked") / "model.joblib")
    assert model.n_estimators == 15
    assert model.predict(IRIS_ROWS).tolist() == IRIS_CLASSES
    assert "validation:accuracy=" in provider.models.trainer.training_logs(spec.name)


def test_local_inputs_are_uploaded_and_metrics_come_from_the_script(
    provider: AWSProvider, tiny_script: Path, tmp_path: Path, boto_client
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (data / name).write_text("1,2\n")
    spec = TrainingSpec(
        name=unique("tiny"),
        entry_point=tiny_script.name,
        source_dir=str(tiny_script.parent),
        hyperparameters={"alpha": 0.25},
        inputs={"train": str(data)},
    )
    job = provider.models.train(spec)
    assert job.status == "Completed", job.failure_reason
    assert job.metrics == {"files": 3.0, "alpha": 0.25}
    described = boto_client("sagemaker").describe_training_job(TrainingJobName=spec.name)
    channel_uri = described["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
    assert channel_uri == f"s3://{get_settings().aws.artifact_bucket}/{spec.name}/input/train/"
    bucket = get_settings().aws.artifact_bucket
    output = provider.storage.get_object(bucket, f"{spec.name}/output/output.tar.gz")
    assert _tar_members(output) == ["report.txt"]
    assert _tar_members(provider.storage.get_object(bucket, f"{spec.name}/output/model.tar.gz")) == [
        "weights.json"
    ]
    with pytest.raises(AlreadyExists, match="never reused"):
        provider.models.train(spec)


def test_failing_script_is_failed_with_its_error_lines(
    provider: AWSProvider, tiny_script: Path, boto_client
) -> None:  # type: ignore[no-untyped-def]
    spec = TrainingSpec(
        name=unique("bad"),
        entry_point=str(tiny_script),
        hyperparameters={"fail": "true"},
        inputs={"train": _upload_dir(provider, {"train/x.csv": b"1\n"})},
    )
    job = provider.models.train(spec)
    assert job.status == "Failed"
    assert job.failure_reason.startswith("AlgorithmError: ")
    assert "bad input: the data has no label column" in job.failure_reason
    assert job.model_artifact == ""
    again = provider.models.get_training_job(spec.name)
    assert (again.status, again.failure_reason) == ("Failed", job.failure_reason)
    bucket = get_settings().aws.artifact_bucket
    assert not provider.storage.exists(bucket, f"{spec.name}/output/model.tar.gz")
    # the control plane itself says so: plain boto3 sees what the wrapper sees
    described = boto_client("sagemaker").describe_training_job(TrainingJobName=spec.name)
    assert (described["TrainingJobStatus"], described["FailureReason"]) == ("Failed", job.failure_reason)
    assert "reading the data" in provider.models.trainer.training_logs(spec.name)
    with pytest.raises(InvalidArgument, match="only a Completed"):
        provider.models.deploy(job, unique("ep"))


def test_empty_channel_fails_like_sagemaker(provider: AWSProvider, tiny_script: Path) -> None:
    bucket = unique("empty")
    provider.storage.create_bucket(bucket)
    spec = TrainingSpec(
        name=unique("nodata"), entry_point=str(tiny_script), inputs={"train": f"s3://{bucket}/x/"}
    )
    job = provider.models.train(spec)
    assert job.status == "Failed"
    assert job.failure_reason.startswith("ClientError: No S3 objects found under S3 URL")


def test_timeout_stops_the_job_and_leaves_nothing_running(
    provider: AWSProvider, tiny_script: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    spec = TrainingSpec(
        name=unique("slow"),
        entry_point=str(tiny_script),
        hyperparameters={"pid-file": str(pid_file)},
        inputs={"train": _upload_dir(provider, {"train/x.csv": b"1\n"})},
        timeout_seconds=1,
    )
    job = provider.models.train(spec)
    assert job.status == "Stopped"
    assert job.failure_reason.startswith("MaxRuntimeExceeded")
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_bad_specs_are_rejected_before_anything_is_created(provider: AWSProvider, tiny_script: Path) -> None:
    with pytest.raises(InvalidArgument, match="not valid in SageMaker"):
        provider.models.train(TrainingSpec(name="under_score", entry_point=str(tiny_script)))
    with pytest.raises(InvalidArgument, match="does not exist"):
        provider.models.train(TrainingSpec(name="x", entry_point="/nowhere/train.py"))
    with pytest.raises(InvalidArgument, match="neither an s3:// URI"):
        provider.models.train(
            TrainingSpec(name="x", entry_point=str(tiny_script), inputs={"train": "gs://b/k"})
        )
    with pytest.raises(InvalidArgument, match="framework"):
        provider.models.train(TrainingSpec(name="x", entry_point=str(tiny_script), framework="pytorch"))


# ---------------------------------------------------------------------------------------------- serving
def test_deploy_creates_model_config_and_endpoint_and_delete_removes_them(
    provider: AWSProvider, iris_artifact: str, boto_client
) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    name = unique("iris-ep")
    endpoint = provider.models.deploy(iris_artifact, name)
    assert (endpoint.status, endpoint.model_artifact, endpoint.instance_type) == (
        "InService",
        iris_artifact,
        "ml.m5.large",
    )
    config = sagemaker.describe_endpoint_config(
        EndpointConfigName=sagemaker.describe_endpoint(EndpointName=name)["EndpointConfigName"]
    )
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["PrimaryContainer"]["ModelDataUrl"] == iris_artifact
    assert model["PrimaryContainer"]["Environment"]["SAGEMAKER_PROGRAM"] == "serve_sklearn.py"
    with pytest.raises(AlreadyExists):
        provider.models.deploy(iris_artifact, name)

    provider.models.delete_endpoint(name)
    for call in (
        lambda: sagemaker.describe_endpoint(EndpointName=name),
        lambda: sagemaker.describe_endpoint_config(EndpointConfigName=config["EndpointConfigName"]),
        lambda: sagemaker.describe_model(ModelName=model["ModelName"]),
    ):
        with pytest.raises(sagemaker.exceptions.ClientError):
            call()
    with pytest.raises(NotFound):
        provider.models.delete_endpoint(name)


def test_predict_uses_the_artifact_and_validates_rows(provider: AWSProvider, iris_artifact: str) -> None:
    name = unique("iris-ep")
    provider.models.deploy(iris_artifact, name)
    prediction = provider.models.predict(name, IRIS_ROWS)
    assert list(prediction.values) == IRIS_CLASSES
    assert prediction.model == name
    assert len(prediction.probabilities) == len(IRIS_ROWS)
    assert all(abs(sum(row) - 1.0) < 1e-6 for row in prediction.probabilities)
    with pytest.raises(InvalidArgument, match="expects 4 features per row, got 2"):
        provider.models.predict(name, [[1.0, 2.0]])
    with pytest.raises(InvalidArgument):
        provider.models.predict(name, [])
    with pytest.raises(NotFound, match="does not exist"):
        provider.models.deploy(iris_artifact.replace("model.tar.gz", "nothing.tar.gz"), unique("ep"))


def test_a_running_endpoint_keeps_the_model_it_loaded(
    provider: AWSProvider, iris_artifact: str, tmp_path: Path
) -> None:
    """As in SageMaker, an endpoint loads its artifact when it starts: new bytes at the same URI change
    nothing for it, and a new endpoint serves them."""
    import joblib
    from sklearn.dummy import DummyClassifier

    name = unique("swap")
    provider.models.deploy(iris_artifact, name)
    assert list(provider.models.predict(name, IRIS_ROWS).values) == IRIS_CLASSES
    model_dir = tmp_path / "constant"
    model_dir.mkdir()
    constant = DummyClassifier(strategy="constant", constant=1).fit([[0, 0, 0, 0]] * 2, [1, 0])
    joblib.dump(constant, model_dir / "model.joblib")
    bucket, key = iris_artifact.removeprefix("s3://").split("/", 1)
    provider.storage.put_object(bucket, key, pack_model_dir(model_dir))
    assert list(provider.models.predict(name, IRIS_ROWS).values) == IRIS_CLASSES
    fresh = unique("fresh")
    provider.models.deploy(iris_artifact, fresh)
    assert list(provider.models.predict(fresh, IRIS_ROWS).values) == [1, 1, 1]


# ---------------------------------------------------------------------------------------------- batch
def test_batch_transform_writes_out_files_per_input_object(
    provider: AWSProvider, iris_artifact: str, boto_client
) -> None:  # type: ignore[no-untyped-def]
    bucket = unique("batch")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "in/part-1.csv", b"5.1,3.5,1.4,0.2\n\n6.7,3.0,5.2,2.3\n")
    provider.storage.put_object(bucket, "in/more/part-2.csv", b"5.9,3.0,4.2,1.5\n")
    job = provider.models.batch_predict(
        iris_artifact, f"s3://{bucket}/in/", f"s3://{bucket}/out", job_name=unique("transform")
    )
    assert (job.status, job.records) == ("Completed", 3), job.failure_reason
    assert provider.storage.get_object(bucket, "out/part-1.csv.out") == b"0\n2\n"
    assert provider.storage.get_object(bucket, "out/more/part-2.csv.out") == b"1\n"
    described = boto_client("sagemaker").describe_transform_job(TransformJobName=job.name)
    assert described["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{bucket}/in/"
    assert provider.models.transformer.describe(job.name) == job


def test_batch_transform_of_bad_csv_is_failed(provider: AWSProvider, iris_artifact: str) -> None:
    bucket = unique("badcsv")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "in/rows.csv", b"5.1,3.5,1.4,0.2\nsepal,petal,x,y\n")
    job = provider.models.batch_predict(iris_artifact, f"s3://{bucket}/in/", f"s3://{bucket}/out/")
    assert job.status == "Failed"
    assert "in/rows.csv line 2 is not numeric CSV" in job.failure_reason
    with pytest.raises(NotFound):
        provider.models.batch_predict(
            f"s3://{bucket}/missing.tar.gz", f"s3://{bucket}/in/", f"s3://{bucket}/o/"
        )
