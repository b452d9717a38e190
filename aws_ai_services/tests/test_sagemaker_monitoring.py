"""Data capture, Model Monitor baselines, drift (KS and PSI), violations, CloudWatch metrics and alarms."""

from __future__ import annotations

import json
import random
import re
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.sagemaker_monitor.baseline import constraints, statistics
from aws_ai_services.emulator.sagemaker_monitor.captures import captured_rows
from aws_ai_services.emulator.sagemaker_monitor.checks import check_traffic
from aws_ai_services.emulator.sagemaker_monitor.drift import ks_p_value, ks_statistic, psi
from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
from aws_ai_services.sagemaker.monitor.data_capture import DataCaptureConfig, decoded_data, read_captures
from aws_ai_services.sagemaker.monitoring import ModelMonitor
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.demos.scripts import iris_csv
from multi_cloud.emulation.jobs.script_mode import pack_model_dir, unpack_model
from multi_cloud.emulation.serving.model_loading import load_model

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def iris() -> tuple[bytes, list[list[float]]]:
    """(a logistic-regression model.tar.gz, the 150 iris feature rows), made once for the module."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), Path(work) / "model.joblib")
        archive = pack_model_dir(Path(work))
    return archive, [[round(float(v), 1) for v in row] for row in data.data]


@pytest.fixture
def setup(provider: AWSProvider, iris: tuple[bytes, list[list[float]]]) -> dict[str, str]:
    bucket = unique("monitor")
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "model/model.tar.gz", iris[0])
    provider.storage.put_object(bucket, "train/iris.csv", iris_csv())
    return {
        "bucket": bucket,
        "artifact": f"s3://{bucket}/model/model.tar.gz",
        "capture": f"s3://{bucket}/capture",
    }


def test_captured_requests_are_in_sagemakers_capture_format(
    provider: AWSProvider, setup: dict[str, str], iris: tuple[bytes, list[list[float]]]
) -> None:
    deployer = SageMakerDeployer(provider.storage)
    name = unique("captured")
    deployer.deploy(setup["artifact"], name, data_capture=DataCaptureConfig(setup["capture"]))
    before = datetime.now(timezone.utc)
    deployer.predict(name, iris[1][:2])
    keys = [o.key for o in provider.storage.list_objects(setup["bucket"], f"capture/{name}/")]
    assert len(keys) == 1
    record = json.loads(provider.storage.get_object(setup["bucket"], keys[0]))
    assert set(record) == {"captureData", "eventMetadata", "eventVersion"}
    given, answered = record["captureData"]["endpointInput"], record["captureData"]["endpointOutput"]
    assert given == {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2\n",
        "encoding": "CSV",
    }
    with tempfile.TemporaryDirectory() as work:  # predict asks for the handler's verbose JSON
        model = load_model(unpack_model(iris[0], Path(work)))
    assert answered == {
        "observedContentType": "application/json",
        "mode": "OUTPUT",
        "data": json.dumps(
            {"predictions": [0, 0], "probabilities": model.predict_proba(iris[1][:2]).tolist()}
        ),
        "encoding": "JSON",
    }
    assert UUID.match(record["eventMetadata"]["eventId"])
    when = datetime.strptime(record["eventMetadata"]["inferenceTime"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc
    )
    assert before - timedelta(seconds=1) <= when <= datetime.now(timezone.utc)
    assert re.fullmatch(
        rf"capture/{name}/AllTraffic/{when:%Y/%m/%d/%H}/\d\d-\d\d-\d{{3}}-[0-9a-f]{{8}}\.jsonl", keys[0]
    )

    binary = unique("binary")  # a content type not listed as CSV or JSON is captured as BASE64
    config = DataCaptureConfig(setup["capture"], csv_content_types=("text/x-custom",), capture_output=False)
    deployer.deploy(setup["artifact"], binary, data_capture=config)
    deployer.predict(binary, iris[1][:1])
    (captured,) = read_captures(provider.storage, setup["capture"], binary)
    assert set(captured["captureData"]) == {"endpointInput"}
    assert captured["captureData"]["endpointInput"]["encoding"] == "BASE64"
    assert decoded_data(captured["captureData"]["endpointInput"]) == b"5.1,3.5,1.4,0.2\n"
    assert captured_rows([captured]) == [["5.1", "3.5", "1.4", "0.2"]]


def test_sampling_percentage_captures_a_share_of_requests(
    provider: AWSProvider, setup: dict[str, str]
) -> None:
    deployer = SageMakerDeployer(provider.storage)
    half, none = unique("half"), unique("none")
    deployer.deploy(
        setup["artifact"], half, data_capture=DataCaptureConfig(setup["capture"], sampling_percentage=50)
    )
    deployer.deploy(
        setup["artifact"], none, data_capture=DataCaptureConfig(setup["capture"], sampling_percentage=0)
    )
    for _ in range(100):  # the endpoint samples at random: 100 requests keep 30..70 certain (4 sigma)
        deployer.predict(half, [[5.1, 3.5, 1.4, 0.2]])
    for _ in range(40):
        deployer.predict(none, [[5.1, 3.5, 1.4, 0.2]])
    captured = len(list(read_captures(provider.storage, setup["capture"], half)))
    assert 30 <= captured <= 70
    assert list(read_captures(provider.storage, setup["capture"], none)) == []


def test_baseline_statistics_and_constraints_have_model_monitors_shape(
    provider: AWSProvider, setup: dict[str, str], iris: tuple[bytes, list[list[float]]]
) -> None:
    import numpy as np

    baseline = ModelMonitor(provider.storage).suggest_baseline(
        f"s3://{setup['bucket']}/train/iris.csv",
        f"s3://{setup['bucket']}/baseline",
        drop_columns=[0],
        drift_threshold=0.2,
    )
    assert baseline.statistics_uri == f"s3://{setup['bucket']}/baseline/statistics.json"
    stored = json.loads(provider.storage.get_object(setup["bucket"], "baseline/statistics.json"))
    assert stored == baseline.statistics and stored["dataset"] == {"item_count": 150}
    petal = np.asarray([row[2] for row in iris[1]])
    feature = stored["features"][2]
    numbers = feature["numerical_statistics"]
    assert (feature["name"], feature["inferred_type"]) == ("_c2", "Fractional")
    assert numbers["common"] == {"num_present": 150, "num_missing": 0}
    assert numbers["mean"] == pytest.approx(petal.mean()) and numbers["std_dev"] == pytest.approx(petal.std())
    assert (numbers["min"], numbers["max"], numbers["sum"]) == (
        pytest.approx(1.0),
        pytest.approx(6.9),
        pytest.approx(petal.sum()),
    )
    kll = numbers["distribution"]["kll"]
    assert sum(b["count"] for b in kll["buckets"]) == 150 and len(kll["buckets"]) == 10
    assert kll["sketch"]["data"][0] == sorted(petal.tolist())
    constraints = json.loads(provider.storage.get_object(setup["bucket"], "baseline/constraints.json"))
    assert constraints["features"][2] == {
        "name": "_c2",
        "inferred_type": "Fractional",
        "completeness": 1.0,
        "num_constraints": {"is_non_negative": True},
    }
    assert constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"] == 0.2


def test_drift_is_detected_reported_published_and_alarmed(
    provider: AWSProvider, setup: dict[str, str], iris: tuple[bytes, list[list[float]]], boto_client
) -> None:  # type: ignore[no-untyped-def]
    deployer = SageMakerDeployer(provider.storage)
    monitor = ModelMonitor(provider.storage)
    endpoint, schedule = unique("watched"), unique("hourly")
    deployer.deploy(setup["artifact"], endpoint, data_capture=DataCaptureConfig(setup["capture"]))
    baseline = monitor.suggest_baseline(
        f"s3://{setup['bucket']}/train/iris.csv",
        f"s3://{setup['bucket']}/baseline",
        drop_columns=[0],
        drift_threshold=0.2,
    )
    reports = f"s3://{setup['bucket']}/reports"
    monitor.create_monitoring_schedule(schedule, endpoint, baseline, reports)
    alarm = monitor.put_drift_alarm(schedule, "_c2", threshold=0.3)

    rows = iris[1]
    for start in range(0, 150, 50):
        deployer.predict(endpoint, rows[start : start + 50])
    calm = monitor.run_monitoring(schedule)
    assert (calm.status, calm.records, calm.violations) == ("Completed", 150, ())
    assert all(d["ks"] == 0.0 and d["psi"] == pytest.approx(0.0) for d in calm.drift.values())
    assert calm.alarms == {alarm: "OK"}

    shift_start = datetime.now(timezone.utc)
    drifted = [[a, b, c + 2.5, d] for a, b, c, d in rows[::2]]  # every class, petal length shifted
    deployer.predict(endpoint, drifted)
    stormy = monitor.run_monitoring(schedule)  # what was captured since the previous execution
    assert stormy.status == "CompletedWithViolations" and stormy.records == 75
    assert [(v["feature_name"], v["constraint_check_type"]) for v in stormy.violations] == [
        ("_c2", "baseline_drift_check")
    ]
    shifted_petals = [row[2] for row in drifted]
    expected_ks = ks_statistic([row[2] for row in rows], shifted_petals)
    assert stormy.drift["_c2"]["ks"] == pytest.approx(expected_ks) and expected_ks > 0.3
    assert stormy.drift["_c2"]["psi"] > 0.25 > stormy.drift["_c0"]["psi"]
    assert (
        stormy.violations[0]["description"]
        == f"Baseline drift distance: {expected_ks:.4f} exceeds threshold: 0.2"
    )
    assert stormy.alarms == {alarm: "ALARM"}

    described = boto_client("cloudwatch").describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    assert described["StateValue"] == "ALARM" and described["StateReason"].startswith(
        "Threshold Crossed: 1 datapoint"
    )
    assert described["MetricName"] == "feature_baseline_drift__c2" and described["Threshold"] == 0.3
    metric = boto_client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="feature_baseline_drift__c2",
        Dimensions=[
            {"Name": "Endpoint", "Value": endpoint},
            {"Name": "MonitoringSchedule", "Value": schedule},
        ],
        StartTime=shift_start - timedelta(hours=1),
        EndTime=datetime.now(timezone.utc) + timedelta(minutes=1),
        Period=7200,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert metric[0]["Maximum"] == pytest.approx(expected_ks)
    bucket, prefix = stormy.report_uri.removeprefix("s3://").split("/", 1)
    assert prefix.startswith(f"reports/{endpoint}/{schedule}/")
    violations = json.loads(provider.storage.get_object(bucket, f"{prefix}/constraint_violations.json"))
    assert violations == {"violations": list(stormy.violations)}
    assert json.loads(provider.storage.get_object(bucket, f"{prefix}/statistics.json"))["dataset"] == {
        "item_count": 75
    }

    recorded = monitor.describe_monitoring_schedule(schedule)
    assert [e.status for e in recorded.executions] == ["Completed", "CompletedWithViolations"]
    definition = boto_client("sagemaker").describe_data_quality_job_definition(
        JobDefinitionName=recorded.job_definition
    )
    assert definition["DataQualityBaselineConfig"]["StatisticsResource"]["S3Uri"] == baseline.statistics_uri
    assert "sagemaker-model-monitor-analyzer" in definition["DataQualityAppSpecification"]["ImageUri"]
    assert monitor.list_monitoring_schedules() == [schedule]


def test_constraint_checks_on_bad_traffic() -> None:
    baseline_rows = [[str(v), str(v * 2)] for v in range(20)]
    stats = statistics(baseline_rows, ["a", "b"])
    limits = constraints(stats)
    traffic = [["1", "2"], ["x", "4"], ["", "6"], ["3"], ["4", "8", "extra"]]
    result = check_traffic(stats, limits, traffic)
    found = {(v["feature_name"], v["constraint_check_type"]) for v in result.violations}
    assert {
        ("", "missing_column_check"),
        ("", "extra_column_check"),
        ("a", "data_type_check"),
        ("a", "completeness_check"),
        ("b", "completeness_check"),
    } <= found
    assert result.statistics["features"][0]["numerical_statistics"]["common"] == {
        "num_present": 3,
        "num_missing": 1,
    }


def test_ks_and_psi_match_reference_values() -> None:
    from scipy import stats as scipy_stats

    rng = random.Random(4)
    a = [rng.gauss(0, 1) for _ in range(300)]
    b = [rng.gauss(0.4, 1) for _ in range(200)]
    reference = scipy_stats.ks_2samp(a, b, method="asymp")
    assert ks_statistic(a, b) == pytest.approx(reference.statistic)
    assert ks_p_value(ks_statistic(a, b), 300, 200) == pytest.approx(reference.pvalue, rel=0.1)
    assert ks_statistic([1, 2, 3], [1, 2, 3]) == 0.0 and ks_statistic([1, 2], [5, 6]) == 1.0
    assert psi(a, a) == pytest.approx(0.0)
    # two bins by hand: baseline 50/50, current 80/20 -> (0.8-0.5)ln(0.8/0.5) + (0.2-0.5)ln(0.2/0.5)
    assert psi([0] * 50 + [1] * 50, [0] * 80 + [1] * 20, bins=2) == pytest.approx(
        0.3 * 0.4700036 + 0.3 * 0.9162907
    )


def test_monitoring_refuses_what_sagemaker_refuses(provider: AWSProvider, setup: dict[str, str]) -> None:
    deployer = SageMakerDeployer(provider.storage)
    monitor = ModelMonitor(provider.storage)
    plain = unique("plain")
    deployer.deploy(setup["artifact"], plain)
    baseline = monitor.suggest_baseline(
        f"s3://{setup['bucket']}/train/iris.csv", f"s3://{setup['bucket']}/b", drop_columns=[0]
    )
    with pytest.raises(InvalidArgument, match="does not capture data") as caught:
        monitor.create_monitoring_schedule(unique("s"), plain, baseline, f"s3://{setup['bucket']}/r")
    assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
    with pytest.raises(NotFound, match="Could not find endpoint"):
        monitor.create_monitoring_schedule(
            unique("s"), "no-such-endpoint", baseline, f"s3://{setup['bucket']}/r"
        )
    with pytest.raises(NotFound, match="Could not find monitoring schedule"):
        monitor.run_monitoring("no-such-schedule")
    watched = unique("watched")
    deployer.deploy(setup["artifact"], watched, data_capture=DataCaptureConfig(setup["capture"]))
    schedule = unique("s")
    monitor.create_monitoring_schedule(schedule, watched, baseline, f"s3://{setup['bucket']}/r")
    empty = monitor.run_monitoring(schedule)
    assert empty.status == "Failed" and "No captured data" in empty.failure_reason
    with pytest.raises(InvalidArgument, match="not in the baseline"):
        monitor.put_drift_alarm(schedule, "petal_length", threshold=0.1)
    monitor.delete_monitoring_schedule(schedule)
    with pytest.raises(NotFound):
        monitor.describe_monitoring_schedule(schedule)


def test_deleting_a_schedule_deletes_its_alarms_and_only_those(
    provider: AWSProvider, setup: dict[str, str], boto_client
) -> None:  # type: ignore[no-untyped-def]
    deployer = SageMakerDeployer(provider.storage)
    monitor = ModelMonitor(provider.storage)
    endpoint = unique("watched")
    deployer.deploy(setup["artifact"], endpoint, data_capture=DataCaptureConfig(setup["capture"]))
    baseline = monitor.suggest_baseline(
        f"s3://{setup['bucket']}/train/iris.csv", f"s3://{setup['bucket']}/b", drop_columns=[0]
    )
    doomed = unique("s")
    kept = f"{doomed}-kept"  # its alarms share the doomed schedule's name prefix
    for name in (doomed, kept):
        monitor.create_monitoring_schedule(name, endpoint, baseline, f"s3://{setup['bucket']}/r")
    doomed_alarms = {
        monitor.put_drift_alarm(doomed, "_c2", threshold=0.3),
        monitor.put_drift_alarm(doomed, "_c3", threshold=0.25, metric="psi"),
    }
    kept_alarm = monitor.put_drift_alarm(kept, "_c2", threshold=0.3)
    cloudwatch = boto_client("cloudwatch")

    def alarm_names() -> set[str]:
        return {a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=doomed)["MetricAlarms"]}

    assert alarm_names() == doomed_alarms | {kept_alarm}

    assert sorted(monitor.delete_monitoring_schedule(doomed)) == sorted(doomed_alarms)
    assert alarm_names() == {kept_alarm}
    assert monitor.list_monitoring_schedules() == [kept]
    definitions = boto_client("sagemaker").list_data_quality_job_definitions(NameContains=doomed)
    assert [d["MonitoringJobDefinitionName"] for d in definitions["JobDefinitionSummaries"]] == [
        f"{kept}-data-quality"
    ]
    assert monitor.delete_monitoring_schedule(kept) == [kept_alarm] and alarm_names() == set()


# ------------------------------------------------------------------ plain boto3, nothing of this package
def _until_done(describe, key: str):  # type: ignore[no-untyped-def]
    import time

    for _ in range(200):
        answer = describe()
        if answer[key] not in ("Pending", "InProgress"):
            return answer
        time.sleep(0.05)
    raise AssertionError(f"still {answer[key]}")


def test_plain_boto3_baseline_schedule_and_executions(
    boto_client, iris: tuple[bytes, list[list[float]]], ai_cloud
) -> None:  # type: ignore[no-untyped-def]
    sagemaker, s3 = boto_client("sagemaker"), boto_client("s3")
    runtime = boto_client("sagemaker-runtime")
    bucket, role = unique("plain"), "arn:aws:iam::123456789012:role/sagemaker"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="model.tar.gz", Body=iris[0])
    s3.put_object(
        Bucket=bucket, Key="train/x.csv", Body="".join(",".join(map(str, r)) + "\n" for r in iris[1])
    )
    endpoint = unique("ep")
    sagemaker.create_model(
        ModelName=endpoint,
        ExecutionRoleArn=role,
        PrimaryContainer={"Image": "sklearn", "ModelDataUrl": f"s3://{bucket}/model.tar.gz"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=endpoint,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": endpoint,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": f"s3://{bucket}/capture",
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
    )
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=endpoint)

    analyzer = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    sagemaker.create_processing_job(  # what the SageMaker SDK's DefaultModelMonitor.suggest_baseline sends
        ProcessingJobName=unique("baseline"),
        RoleArn=role,
        AppSpecification={"ImageUri": analyzer},
        Environment={
            "dataset_format": '{"csv": {"header": false}}',
            "output_path": "/opt/ml/processing/output",
        },
        ProcessingInputs=[
            {
                "InputName": "baseline_dataset_input",
                "S3Input": {
                    "S3Uri": f"s3://{bucket}/train/",
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
                        "S3Uri": f"s3://{bucket}/baseline",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        ProcessingResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
        },
    )
    job_name = sagemaker.list_processing_jobs()["ProcessingJobSummaries"][0]["ProcessingJobName"]
    job = _until_done(
        lambda: sagemaker.describe_processing_job(ProcessingJobName=job_name), "ProcessingJobStatus"
    )
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    stats = json.loads(s3.get_object(Bucket=bucket, Key="baseline/statistics.json")["Body"].read())
    assert stats["dataset"] == {"item_count": 150} and len(stats["features"]) == 4

    sagemaker.create_data_quality_job_definition(
        JobDefinitionName=f"{endpoint}-dq",
        DataQualityBaselineConfig={
            "ConstraintsResource": {"S3Uri": f"s3://{bucket}/baseline/constraints.json"},
            "StatisticsResource": {"S3Uri": f"s3://{bucket}/baseline/statistics.json"},
        },
        DataQualityAppSpecification={"ImageUri": analyzer},
        DataQualityJobInput={
            "EndpointInput": {"EndpointName": endpoint, "LocalPath": "/opt/ml/processing/input"}
        },
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": f"s3://{bucket}/reports", "LocalPath": "/opt/ml/processing/output"}}
            ]
        },
        JobResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
        },
        RoleArn=role,
    )
    schedule = unique("hourly")
    config = {
        "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        "MonitoringJobDefinitionName": f"{endpoint}-dq",
        "MonitoringType": "DataQuality",
    }
    arn = sagemaker.create_monitoring_schedule(
        MonitoringScheduleName=schedule, MonitoringScheduleConfig=config
    )["MonitoringScheduleArn"]
    assert arn.endswith(f":monitoring-schedule/{schedule}")
    described = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule)
    assert (described["MonitoringScheduleStatus"], described["EndpointName"]) == ("Scheduled", endpoint)
    assert [
        s["MonitoringScheduleName"]
        for s in sagemaker.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    ] == [schedule]
    with pytest.raises(sagemaker.exceptions.ClientError) as duplicate:
        sagemaker.create_monitoring_schedule(MonitoringScheduleName=schedule, MonitoringScheduleConfig=config)
    assert duplicate.value.response["Error"]["Code"] == "ResourceInUse"

    body = "".join(f"{a},{b},{c + 3},{d}\n" for a, b, c, d in iris[1][::3])  # petal length shifted
    runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType="text/csv")
    sagemaker.start_monitoring_schedule(
        MonitoringScheduleName=schedule
    )  # the local trigger: one execution now

    def newest():  # type: ignore[no-untyped-def]
        return sagemaker.list_monitoring_executions(MonitoringScheduleName=schedule)[
            "MonitoringExecutionSummaries"
        ][0]

    execution = _until_done(newest, "MonitoringExecutionStatus")
    assert execution["MonitoringExecutionStatus"] == "CompletedWithViolations", execution.get("FailureReason")
    assert execution["EndpointName"] == endpoint and execution["MonitoringType"] == "DataQuality"
    processing = sagemaker.describe_processing_job(
        ProcessingJobName=execution["ProcessingJobArn"].split("/")[-1]
    )
    report = processing["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    assert report.startswith(f"s3://{bucket}/reports/{endpoint}/{schedule}/")
    key = report.removeprefix(f"s3://{bucket}/") + "/constraint_violations.json"
    violations = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())["violations"]
    assert ("_c2", "baseline_drift_check") in {
        (v["feature_name"], v["constraint_check_type"]) for v in violations
    }

    sagemaker.start_monitoring_schedule(
        MonitoringScheduleName=schedule
    )  # nothing captured since the last one
    empty = _until_done(newest, "MonitoringExecutionStatus")
    assert empty["MonitoringExecutionStatus"] == "Failed" and "No captured data" in empty["FailureReason"]
    assert (
        len(
            sagemaker.list_monitoring_executions(MonitoringScheduleName=schedule)[
                "MonitoringExecutionSummaries"
            ]
        )
        == 2
    )
    listed = sagemaker.list_monitoring_executions(
        MonitoringScheduleName=schedule, StatusEquals="Failed", ScheduledTimeAfter=execution["ScheduledTime"]
    )["MonitoringExecutionSummaries"]
    assert [e["MonitoringExecutionStatus"] for e in listed] == ["Failed"]
    sagemaker.stop_monitoring_schedule(MonitoringScheduleName=schedule)
    assert (
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule)["MonitoringScheduleStatus"]
        == "Stopped"
    )
    sagemaker.delete_monitoring_schedule(MonitoringScheduleName=schedule)
    with pytest.raises(sagemaker.exceptions.ClientError) as gone:
        sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFound"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
