"""Model Monitor's processing jobs are named and logged as SageMaker's (``/aws/sagemaker/ProcessingJobs``)."""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from multi_cloud.emulation.jobs.script_mode import pack_model_dir

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
ANALYZER = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
GROUP = "/aws/sagemaker/ProcessingJobs"
EXECUTION_JOB = re.compile(r"^model-monitoring-\d{12}-[0-9a-f]{24}$")
CLUSTER = {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}}


def _until_done(describe: Any, key: str) -> Any:
    for _ in range(200):
        answer = describe()
        if answer[key] not in ("Pending", "InProgress"):
            return answer
        time.sleep(0.05)
    raise AssertionError(f"still {answer[key]}")


def _streams(logs: Any, job_name: str) -> list[str]:
    """What the SageMaker SDK's wait(logs=True) finds: the job's streams, by the prefix ``<job>/``."""
    found = logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix=f"{job_name}/")["logStreams"]
    return [s["logStreamName"] for s in found]


def _messages(logs: Any, stream: str) -> list[str]:
    return [e["message"] for e in logs.get_log_events(logGroupName=GROUP, logStreamName=stream)["events"]]


@pytest.fixture
def monitored(boto_client: Any, ai_cloud: Any) -> dict[str, Any]:
    """An endpoint capturing its traffic, a baseline (plain boto3, as the SDK sends it), a schedule."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    sagemaker, s3 = boto_client("sagemaker"), boto_client("s3")
    name = f"mlogs-{uuid.uuid4().hex[:6]}"
    data = load_iris()
    s3.create_bucket(Bucket=name)
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), Path(work) / "model.joblib")
        s3.put_object(Bucket=name, Key="model.tar.gz", Body=pack_model_dir(Path(work)))
    s3.put_object(
        Bucket=name, Key="train/x.csv", Body="".join(",".join(map(str, r)) + "\n" for r in data.data)
    )
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "sklearn", "ModelDataUrl": f"s3://{name}/model.tar.gz"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": f"s3://{name}/capture",
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    baseline_job = f"{name}-baseline"
    sagemaker.create_processing_job(
        ProcessingJobName=baseline_job,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": ANALYZER},
        Environment={
            "dataset_format": '{"csv": {"header": false}}',
            "output_path": "/opt/ml/processing/output",
        },
        ProcessingInputs=[
            {
                "InputName": "baseline_dataset_input",
                "S3Input": {
                    "S3Uri": f"s3://{name}/train/",
                    "LocalPath": "/opt/ml/processing/input/baseline_dataset_input",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "monitoring_output",
                    "S3Output": {
                        "S3Uri": f"s3://{name}/baseline",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        ProcessingResources=CLUSTER,
    )
    job = _until_done(
        lambda: sagemaker.describe_processing_job(ProcessingJobName=baseline_job), "ProcessingJobStatus"
    )
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    sagemaker.create_data_quality_job_definition(
        JobDefinitionName=f"{name}-dq",
        DataQualityBaselineConfig={
            "ConstraintsResource": {"S3Uri": f"s3://{name}/baseline/constraints.json"},
            "StatisticsResource": {"S3Uri": f"s3://{name}/baseline/statistics.json"},
        },
        DataQualityAppSpecification={"ImageUri": ANALYZER},
        DataQualityJobInput={
            "EndpointInput": {"EndpointName": name, "LocalPath": "/opt/ml/processing/input"}
        },
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": f"s3://{name}/reports", "LocalPath": "/opt/ml/processing/output"}}
            ]
        },
        JobResources=CLUSTER,
        RoleArn=ROLE,
    )
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": f"{name}-dq",
            "MonitoringType": "DataQuality",
        },
    )
    return {"name": name, "baseline_job": baseline_job, "rows": data.data}


def _execute(sagemaker: Any, schedule: str) -> dict[str, Any]:
    sagemaker.start_monitoring_schedule(MonitoringScheduleName=schedule)  # the local trigger

    def newest() -> Any:
        return sagemaker.list_monitoring_executions(MonitoringScheduleName=schedule)[
            "MonitoringExecutionSummaries"
        ][0]

    return _until_done(newest, "MonitoringExecutionStatus")  # type: ignore[no-any-return]


def test_an_execution_is_a_processing_job_named_and_logged_as_sagemakers(
    boto_client: Any, monitored: dict[str, Any]
) -> None:
    sagemaker, logs = boto_client("sagemaker"), boto_client("logs")
    body = "".join(f"{a},{b},{c + 3},{d}\n" for a, b, c, d in monitored["rows"][::3])
    boto_client("sagemaker-runtime").invoke_endpoint(
        EndpointName=monitored["name"], Body=body, ContentType="text/csv"
    )
    execution = _execute(sagemaker, monitored["name"])
    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations", execution.get("FailureReason")
    job_name = execution["ProcessingJobArn"].split("/")[-1]
    assert EXECUTION_JOB.match(job_name), job_name
    assert job_name[len("model-monitoring-") :][:12] == f"{execution['ScheduledTime']:%Y%m%d%H%M}"
    [stream] = _streams(logs, job_name)
    assert re.fullmatch(rf"{re.escape(job_name)}/algo-1-\d{{10}}", stream)
    assert any(m.startswith("CompletedWithViolations") for m in _messages(logs, stream))


def test_a_failed_execution_logs_its_reason(boto_client: Any, monitored: dict[str, Any]) -> None:
    sagemaker, logs = boto_client("sagemaker"), boto_client("logs")
    execution = _execute(sagemaker, monitored["name"])  # nothing captured yet
    assert execution["MonitoringExecutionStatus"] == "Failed"
    [stream] = _streams(logs, execution["ProcessingJobArn"].split("/")[-1])
    assert any("No captured data" in m for m in _messages(logs, stream))


def test_the_baselining_job_is_logged_too(boto_client: Any, monitored: dict[str, Any]) -> None:
    logs = boto_client("logs")
    [stream] = _streams(logs, monitored["baseline_job"])
    assert stream.startswith(f"{monitored['baseline_job']}/algo-1-")
    with pytest.raises(ClientError) as missing:  # a job that never ran has no stream
        logs.get_log_events(logGroupName=GROUP, logStreamName=f"{monitored['name']}-never/algo-1-0")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
