"""Training jobs run by the local cloud itself, whoever creates them: plain boto3 and the SageMaker SDK."""

from __future__ import annotations

import io
import tarfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

TRAIN = b"""import os, sys
print('args', sys.argv[1:], flush=True)
if '--fail' in sys.argv:
    sys.exit('bad input: no label column')
if '--sleep' in sys.argv:
    import time; print('sleeping', flush=True); time.sleep(60)
print(f"accuracy={0.5 + len(os.listdir(os.environ['SM_CHANNEL_TRAIN'])) / 10}")
open(os.path.join(os.environ['SM_MODEL_DIR'], 'model.txt'), 'w').write('trained')
"""
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def bucket(boto_client) -> str:  # type: ignore[no-untyped-def]
    s3 = boto_client("s3")
    name = unique("train")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="data/a.csv", Body=b"1,2\n")
    s3.put_object(Bucket=name, Key="data/b.csv", Body=b"3,4\n")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("train.py")
        info.size = len(TRAIN)
        tar.addfile(info, io.BytesIO(TRAIN))
    s3.put_object(Bucket=name, Key="code/sourcedir.tar.gz", Body=archive.getvalue())
    return name


def request(bucket: str, name: str, **hyperparameters: str) -> dict[str, Any]:
    """A CreateTrainingJob request as the AWS docs write it for framework script mode."""
    return {
        "TrainingJobName": name,
        "RoleArn": ROLE,
        "AlgorithmSpecification": {
            "TrainingImage": IMAGE,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "accuracy", "Regex": "accuracy=([0-9.]+)"}],
        },
        "HyperParameters": {
            "sagemaker_program": '"train.py"',
            "sagemaker_submit_directory": f'"s3://{bucket}/code/sourcedir.tar.gz"',
            **hyperparameters,
        },
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/data/"}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 120},
    }


def wait(sagemaker: Any, name: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (described := sagemaker.describe_training_job(TrainingJobName=name))["TrainingJobStatus"] in (
        "InProgress",
        "Stopping",
    ):
        assert time.monotonic() < deadline, described
        time.sleep(0.05)
    return described  # type: ignore[no-any-return]


def log_text(boto_client: Any, name: str) -> str:
    logs = boto_client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=name)
    events = logs.get_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams["logStreams"][0]["logStreamName"]
    )
    return "\n".join(e["message"] for e in events["events"])


def test_plain_boto3_job_runs_and_reports_like_sagemaker(boto_client, bucket: str) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    name = unique("plain")
    sagemaker.create_training_job(**request(bucket, name, epochs="3"))
    first = sagemaker.describe_training_job(TrainingJobName=name)
    assert first["TrainingJobStatus"] == "InProgress"
    described = wait(sagemaker, name)
    assert described["TrainingJobStatus"] == "Completed" and described["SecondaryStatus"] == "Completed"
    transitions = [t["Status"] for t in described["SecondaryStatusTransitions"]]
    assert transitions == ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert [(m["MetricName"], m["Value"]) for m in described["FinalMetricDataList"]] == [("accuracy", 0.7)]
    assert described["AlgorithmSpecification"]["MetricDefinitions"][0]["Name"] == "accuracy"
    artifact = described["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"s3://{bucket}/output/{name}/output/model.tar.gz"
    body = (
        boto_client("s3").get_object(Bucket=bucket, Key=f"output/{name}/output/model.tar.gz")["Body"].read()
    )
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        assert tar.getnames() == ["model.txt"]
    assert described["TrainingTimeInSeconds"] >= 1 and described["BillableTimeInSeconds"] >= 1
    assert "args ['--epochs', '3']" in log_text(boto_client, name)


def test_a_failing_script_fails_the_job_with_its_last_error_lines(boto_client, bucket: str) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    name = unique("fails")
    sagemaker.create_training_job(**request(bucket, name, fail="true"))
    described = wait(sagemaker, name)
    assert described["TrainingJobStatus"] == "Failed"
    assert described["FailureReason"] == "AlgorithmError: bad input: no label column"
    assert "bad input: no label column" in log_text(boto_client, name)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"sagemaker_submit_directory": '"s3://{bucket}/code/missing.tar.gz"'},
            "ClientError: the source archive",
        ),
        (
            {"sagemaker_program": '"nope.py"'},
            "AlgorithmError: No such file or directory: entry point 'nope.py'",
        ),
    ],
)
def test_bad_code_fails_with_a_reason_that_helps(boto_client, bucket: str, change, reason) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    name = unique("badcode")
    sagemaker.create_training_job(
        **request(bucket, name, **{k: v.format(bucket=bucket) for k, v in change.items()})
    )
    described = wait(sagemaker, name)
    assert described["TrainingJobStatus"] == "Failed"
    assert described["FailureReason"].startswith(reason)


def test_a_reused_name_is_resource_in_use(boto_client, bucket: str) -> None:  # type: ignore[no-untyped-def]
    from botocore.exceptions import ClientError

    sagemaker = boto_client("sagemaker")
    name = unique("twice")
    sagemaker.create_training_job(**request(bucket, name))
    with pytest.raises(ClientError) as caught:
        sagemaker.create_training_job(**request(bucket, name))
    assert caught.value.response["Error"]["Code"] == "ResourceInUse"
    assert wait(sagemaker, name)["TrainingJobStatus"] == "Completed"  # the first job is untouched


def test_stop_training_job_stops_the_process_and_keeps_the_model(boto_client, bucket: str) -> None:  # type: ignore[no-untyped-def]
    from botocore.exceptions import ClientError

    sagemaker = boto_client("sagemaker")
    name = unique("stop")
    sagemaker.create_training_job(**request(bucket, name, sleep="true"))
    deadline = time.monotonic() + 30
    while sagemaker.describe_training_job(TrainingJobName=name)["SecondaryStatus"] != "Training":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sagemaker.stop_training_job(TrainingJobName=name)
    assert sagemaker.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in (
        "Stopping",
        "Stopped",
    )
    described = wait(sagemaker, name)
    assert (described["TrainingJobStatus"], described["SecondaryStatus"]) == ("Stopped", "Stopped")
    with pytest.raises(ClientError) as caught:
        sagemaker.stop_training_job(TrainingJobName=name)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "status Stopped" in caught.value.response["Error"]["Message"]


def test_max_runtime_is_enforced(boto_client, bucket: str) -> None:  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    name = unique("slow")
    slow = request(bucket, name, sleep="true")
    slow["StoppingCondition"] = {"MaxRuntimeInSeconds": 1}
    sagemaker.create_training_job(**slow)
    described = wait(sagemaker, name)
    assert (described["TrainingJobStatus"], described["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")


def test_the_sagemaker_sdk_model_trainer_runs_its_source_code(
    boto_client, bucket: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # as the SDK's docs write it: the local cloud's env names the SDK's default bucket (no STS call)
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_bytes(TRAIN)
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import InputData, SourceCode

    trainer = ModelTrainer(
        training_image=IMAGE,
        source_code=SourceCode(source_dir=str(source), entry_script="train.py"),
        role=ROLE,
        hyperparameters={"epochs": 2},
        base_job_name="sdk",
    )
    trainer.train(
        input_data_config=[InputData(channel_name="train", data_source=f"s3://{bucket}/data/")], logs=False
    )
    name = trainer._latest_training_job.training_job_name
    described = boto_client("sagemaker").describe_training_job(TrainingJobName=name)
    assert described["TrainingJobStatus"] == "Completed", described.get("FailureReason")
    assert {c["ChannelName"] for c in described["InputDataConfig"]} == {"train", "code", "sm_drivers"}
    assert "args ['--epochs', '2']" in log_text(boto_client, name)
