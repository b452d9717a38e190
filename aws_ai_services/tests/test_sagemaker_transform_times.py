"""A batch transform job's TransformStartTime/TransformEndTime bracket its real work (plain boto3)."""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from multi_cloud.emulation.jobs.script_mode import pack_model_dir

OBJECTS = 40
#: S3's LastModified has whole seconds
SECOND = timedelta(seconds=1)


@pytest.fixture
def model(boto_client: Any) -> tuple[str, str]:
    """(bucket, model name): an iris model and OBJECTS input files."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    s3 = boto_client("s3")
    name = f"times-{uuid.uuid4().hex[:6]}"
    s3.create_bucket(Bucket=name)
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(
            LogisticRegression(max_iter=300).fit(*load_iris(return_X_y=True)), Path(work) / "model.joblib"
        )
        s3.put_object(Bucket=name, Key="model.tar.gz", Body=pack_model_dir(Path(work)))
    for index in range(OBJECTS):
        s3.put_object(Bucket=name, Key=f"in/{index:03d}.csv", Body=b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    boto_client("sagemaker").create_model(
        ModelName=name,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "sklearn", "ModelDataUrl": f"s3://{name}/model.tar.gz"},
    )
    return name, name


def _transform(sagemaker: Any, bucket: str, model: str, job: str) -> dict[str, Any]:
    sagemaker.create_transform_job(
        TransformJobName=job,
        ModelName=model,
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/in/"}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={"S3OutputPath": f"s3://{bucket}/{job}/", "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName=job, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150}
    )
    return sagemaker.describe_transform_job(TransformJobName=job)  # type: ignore[no-any-return]


def test_start_and_end_bracket_the_work(boto_client: Any, model: tuple[str, str]) -> None:
    bucket, name = model
    s3, sagemaker = boto_client("s3"), boto_client("sagemaker")
    job = _transform(sagemaker, bucket, name, "job-1")
    assert job["TransformJobStatus"] == "Completed", job.get("FailureReason")
    start, end = job["TransformStartTime"], job["TransformEndTime"]
    assert job["CreationTime"] <= start < end
    written = [o["LastModified"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="job-1/")["Contents"]]
    assert len(written) == OBJECTS
    assert start - SECOND < min(written) and max(written) <= end  # every output within the interval
    events = boto_client("logs").get_log_events(
        logGroupName="/aws/sagemaker/TransformJobs", logStreamName="job-1/i-0local0transform"
    )["events"]
    logged = [e["timestamp"] / 1000 for e in events]  # the container's lines, in epoch milliseconds
    assert len(logged) == OBJECTS and start.timestamp() <= min(logged) and max(logged) <= end.timestamp()


def test_each_job_has_its_own_interval(boto_client: Any, model: tuple[str, str]) -> None:
    bucket, name = model
    sagemaker = boto_client("sagemaker")
    first = _transform(sagemaker, bucket, name, "job-a")
    second = _transform(sagemaker, bucket, name, "job-b")
    assert first["TransformEndTime"] <= second["CreationTime"] <= second["TransformStartTime"]
    assert second["TransformStartTime"] < second["TransformEndTime"]


def test_an_unknown_job_has_no_times(boto_client: Any, model: tuple[str, str]) -> None:
    with pytest.raises(ClientError) as unknown:
        boto_client("sagemaker").describe_transform_job(TransformJobName="no-such-job")
    assert unknown.value.response["Error"]["Code"] == "ValidationException"
