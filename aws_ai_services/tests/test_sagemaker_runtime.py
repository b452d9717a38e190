"""SageMaker Runtime InvokeEndpoint over the wire: the endpoint's trained model (from moto) predicts, and the
emulator does SageMaker's server-side work: variant routing, data capture and CloudWatch metrics."""

from __future__ import annotations

import importlib.util
import io
import json
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.sagemaker.model_deployment import SageMakerDeployer
from aws_ai_services.sagemaker.monitor.data_capture import DataCaptureConfig
from aws_ai_services.sagemaker.scripts import SERVE_SKLEARN
from aws_ai_services.sagemaker.serving.endpoint_config import VariantSpec
from botocore.exceptions import ClientError
from multi_cloud.emulation.jobs.script_mode import pack_model_dir

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]


@pytest.fixture
def iris(ai_cloud, tmp_path: Path):  # type: ignore[no-untyped-def]
    """(endpoint name, the fitted model) for a logistic-regression iris model deployed to moto."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    model = LogisticRegression(max_iter=500).fit(data.data, data.target)
    (tmp_path / "model").mkdir()
    joblib.dump(model, tmp_path / "model" / "model.joblib")
    provider = AWSProvider()
    bucket = f"models-{uuid.uuid4().hex[:8]}"
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "iris/model.tar.gz", pack_model_dir(tmp_path / "model"))
    endpoint = f"iris-{uuid.uuid4().hex[:8]}"
    provider.models.deploy(provider.storage.uri(bucket, "iris/model.tar.gz"), endpoint)
    return endpoint, model


@pytest.fixture
def ab(ai_cloud, tmp_path: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(endpoint, bucket): variant A a logistic iris model (weight 3), B one that always says 1 (weight 1,
    two instances), every request captured under s3://bucket/capture."""
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    provider = AWSProvider()
    bucket = f"ab-{uuid.uuid4().hex[:8]}"
    provider.storage.create_bucket(bucket)
    models = {
        "A": LogisticRegression(max_iter=500).fit(data.data, data.target),
        "B": DummyClassifier(strategy="constant", constant=1).fit(data.data, data.target),
    }
    for variant, model in models.items():
        (tmp_path / variant).mkdir()
        joblib.dump(model, tmp_path / variant / "model.joblib")
        provider.storage.put_object(bucket, f"{variant}/model.tar.gz", pack_model_dir(tmp_path / variant))
    endpoint = f"ab-{uuid.uuid4().hex[:8]}"
    SageMakerDeployer(provider.storage).deploy_variants(
        endpoint,
        [
            VariantSpec("A", f"s3://{bucket}/A/model.tar.gz", weight=3.0),
            VariantSpec("B", f"s3://{bucket}/B/model.tar.gz", weight=1.0, instance_count=2),
        ],
        data_capture=DataCaptureConfig(f"s3://{bucket}/capture"),
    )
    return endpoint, bucket


@pytest.fixture
def runtime(ai_cloud):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("sagemaker-runtime")


def _error(call, **arguments):  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    return caught.value.response


def test_csv_in_csv_out_matches_the_model(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, model = iris
    body = "\n".join(",".join(str(v) for v in row) for row in ROWS)
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint, Body=body, ContentType="text/csv", Accept="text/csv"
    )
    assert answer["ContentType"] == "text/csv; charset=utf-8"  # the container's Flask answer
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    predicted = [int(line) for line in answer["Body"].read().decode().split()]
    assert predicted == model.predict(np.asarray(ROWS)).tolist()
    assert len(set(predicted)) == 3  # three different flowers: computed, not canned
    # without Accept the container answers in its default, JSON
    default = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType="text/csv")
    assert default["ContentType"] == "application/json"
    assert json.loads(default["Body"].read()) == predicted


def test_json_rows_and_instances(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, model = iris
    expected = model.predict(np.asarray(ROWS)).tolist()
    plain = runtime.invoke_endpoint(
        EndpointName=endpoint, Body=json.dumps(ROWS), ContentType="application/json"
    )
    assert json.loads(plain["Body"].read()) == expected
    wrapped = json.dumps({"instances": ROWS})
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint, Body=wrapped, ContentType="application/json", Accept="text/csv"
    )
    assert answer["ContentType"] == "text/csv; charset=utf-8"
    assert [int(v) for v in answer["Body"].read().split()] == expected


def test_numpy_payloads(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, model = iris
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(ROWS))
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint,
        Body=buffer.getvalue(),
        ContentType="application/x-npy",
        Accept="application/x-npy",
    )
    assert answer["ContentType"] == "application/x-npy"
    assert np.load(io.BytesIO(answer["Body"].read())).tolist() == model.predict(np.asarray(ROWS)).tolist()


def test_unsupported_content_type_is_a_model_error_with_415(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    error = _error(
        runtime.invoke_endpoint, EndpointName=endpoint, Body=b"<rows/>", ContentType="application/xml"
    )
    assert error["Error"]["Code"] == "ModelError"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert error["OriginalStatusCode"] == 415
    assert "application/xml" in error["OriginalMessage"]
    assert error["LogStreamArn"].endswith(f"/aws/sagemaker/Endpoints/{endpoint}")


def test_wrong_feature_count_is_a_model_error(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    error = _error(runtime.invoke_endpoint, EndpointName=endpoint, Body=b"1,2,3", ContentType="text/csv")
    assert error["Error"]["Code"] == "ModelError" and error["OriginalStatusCode"] == 400
    assert "4 features" in error["Error"]["Message"]


def test_unreadable_csv_is_a_model_error(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    error = _error(runtime.invoke_endpoint, EndpointName=endpoint, Body=b"a,b,c,d", ContentType="text/csv")
    assert error["Error"]["Code"] == "ModelError" and error["OriginalStatusCode"] == 400


def test_unknown_endpoint_is_a_validation_error(runtime) -> None:  # type: ignore[no-untyped-def]
    error = _error(
        runtime.invoke_endpoint, EndpointName="no-such-endpoint", Body=b"1", ContentType="text/csv"
    )
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == "Endpoint no-such-endpoint of account 123456789012 not found."


def test_deleted_endpoint_stops_answering(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    AWSProvider().models.delete_endpoint(endpoint)
    error = _error(runtime.invoke_endpoint, EndpointName=endpoint, Body=b"1,2,3,4", ContentType="text/csv")
    assert error["Error"]["Code"] == "ValidationError"


def test_unknown_target_variant(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    error = _error(
        runtime.invoke_endpoint,
        EndpointName=endpoint,
        Body=b"1,2,3,4",
        ContentType="text/csv",
        TargetVariant="Canary",
    )
    assert error["Error"]["Code"] == "ValidationError" and "Canary" in error["Error"]["Message"]


def test_payload_over_6_mb_is_refused(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, _model = iris
    body = b"1,2,3,4\n" * (6 * 1024 * 1024 // 8 + 1)
    error = _error(runtime.invoke_endpoint, EndpointName=endpoint, Body=body, ContentType="text/csv")
    assert error["Error"]["Code"] == "ValidationError" and "6291456" in error["Error"]["Message"]


def _handler():  # type: ignore[no-untyped-def]
    """The inference handler SageMakerDeployer ships to SageMaker's scikit-learn container."""
    spec = importlib.util.spec_from_file_location("serve_sklearn", SERVE_SKLEARN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_verbose_json_is_what_the_deployed_handler_answers(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, model = iris
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint,
        Body=json.dumps(ROWS),
        ContentType="application/json",
        Accept="application/json;verbose",
    )
    assert answer["ContentType"] == "application/json"
    served = json.loads(answer["Body"].read())
    assert served["predictions"] == model.predict(np.asarray(ROWS)).tolist()
    assert np.allclose(served["probabilities"], model.predict_proba(np.asarray(ROWS)))
    handler = _handler()  # what the real container would answer with the same model and rows
    body, content_type = handler.output_fn(
        handler.predict_fn(np.asarray(ROWS), model), "application/json;verbose"
    )
    assert (json.loads(body), content_type) == (served, "application/json")


def _statistic(
    cloudwatch, endpoint: str, variant: str, metric: str, statistic: str, since: datetime
) -> float:  # type: ignore[no-untyped-def]
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName=metric,
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}],
        StartTime=since,
        EndTime=datetime.now(timezone.utc) + timedelta(minutes=1),
        Period=3600,
        Statistics=[statistic],
    )["Datapoints"]
    return sum(float(p[statistic]) for p in points)


def test_routing_capture_and_metrics_happen_server_side(runtime, ab, boto_client) -> None:  # type: ignore[no-untyped-def]
    """A plain boto3 client, nothing of this package: the endpoint itself routes, captures and measures."""
    endpoint, bucket = ab
    since = datetime.now(timezone.utc) - timedelta(minutes=1)
    served: Counter[str] = Counter()
    for _ in range(40):
        answer = runtime.invoke_endpoint(
            EndpointName=endpoint, Body=b"6.7,3.0,5.2,2.3\n", ContentType="text/csv", Accept="text/csv"
        )
        variant = answer["InvokedProductionVariant"]
        served[variant] += 1
        assert answer["Body"].read() == (b"2\n" if variant == "A" else b"1\n")  # each variant's own model
    assert served["A"] > served["B"] > 0  # weights 3 : 1
    for _ in range(3):
        pinned = runtime.invoke_endpoint(
            EndpointName=endpoint, Body=b"5.1,3.5,1.4,0.2\n", ContentType="text/csv", TargetVariant="B"
        )
        assert (pinned["InvokedProductionVariant"], json.loads(pinned["Body"].read())) == ("B", [1])
        served["B"] += 1

    s3 = boto_client("s3")
    for variant in ("A", "B"):
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"capture/{endpoint}/{variant}/").get(
            "Contents", []
        )
        assert len(listed) == served[variant]  # 100 % sampling: one capture file per request
    last = max(listed, key=lambda o: o["Key"])  # variant B's latest: a pinned JSON answer
    record = json.loads(s3.get_object(Bucket=bucket, Key=last["Key"])["Body"].read())
    assert record["captureData"] == {
        "endpointInput": {
            "observedContentType": "text/csv",
            "mode": "INPUT",
            "data": "5.1,3.5,1.4,0.2\n",
            "encoding": "CSV",
        },
        "endpointOutput": {
            "observedContentType": "application/json",
            "mode": "OUTPUT",
            "data": "[1]",
            "encoding": "JSON",
        },
    }

    cloudwatch = boto_client("cloudwatch")
    for variant in ("A", "B"):
        assert _statistic(cloudwatch, endpoint, variant, "Invocations", "Sum", since) == served[variant]
        for latency in ("ModelLatency", "OverheadLatency"):
            assert _statistic(cloudwatch, endpoint, variant, latency, "SampleCount", since) == served[variant]
        assert _statistic(cloudwatch, endpoint, variant, "ModelLatency", "Average", since) > 0
        assert _statistic(cloudwatch, endpoint, variant, "Invocation4XXErrors", "Sum", since) == 0
    per_instance = _statistic(cloudwatch, endpoint, "B", "InvocationsPerInstance", "Sum", since)
    assert per_instance == pytest.approx(served["B"] / 2)  # B runs two instances

    error = _error(
        runtime.invoke_endpoint, EndpointName=endpoint, Body=b"1,2", ContentType="text/csv", TargetVariant="A"
    )
    assert (error["Error"]["Code"], error["OriginalStatusCode"]) == ("ModelError", 400)
    assert _statistic(cloudwatch, endpoint, "A", "Invocation4XXErrors", "Sum", since) == 1
    assert _statistic(cloudwatch, endpoint, "A", "Invocations", "Sum", since) == served["A"] + 1


def test_without_moto_in_process_the_endpoint_is_read_and_measured_over_http(ab, boto_client) -> None:  # type: ignore[no-untyped-def]
    """The emulator's fallback when moto runs elsewhere: Describe* and PutMetricData over HTTP."""
    import os

    from aws_ai_services.emulator.control_plane import ControlPlane
    from aws_ai_services.emulator.sagemaker_runtime import SageMakerRuntimeResponses
    from multi_cloud.core.settings import get_settings
    from multi_cloud.emulation.protocols.aws.errors import AwsError, RequestContext

    endpoint, bucket = ab
    since = datetime.now(timezone.utc) - timedelta(minutes=1)
    remote = os.environ["AWS_ENDPOINT_URL"].replace("127.0.0.1", "localhost")  # not the in-process URL
    responder = SageMakerRuntimeResponses(ControlPlane(remote))
    context = RequestContext("sagemaker-runtime", "InvokeEndpoint", region=get_settings().aws.region)
    request = {"EndpointName": endpoint, "Body": b"6.7,3.0,5.2,2.3\n", "ContentType": "text/csv"}
    answer = responder.invoke_endpoint({**request, "Accept": "text/csv", "TargetVariant": "A"}, context)
    assert (answer["InvokedProductionVariant"], answer["Body"]) == ("A", b"2\n")
    cloudwatch = boto_client("cloudwatch")
    assert _statistic(cloudwatch, endpoint, "A", "Invocations", "Sum", since) == 1
    captured = boto_client("s3").list_objects_v2(Bucket=bucket, Prefix=f"capture/{endpoint}/A/")
    assert len(captured.get("Contents", [])) == 1
    with pytest.raises(AwsError) as missing:
        responder.invoke_endpoint({**request, "EndpointName": "no-such-endpoint"}, context)
    assert (missing.value.code, missing.value.message) == (
        "ValidationError",
        f"Endpoint no-such-endpoint of account {context.account_id} not found.",
    )


def test_an_endpoint_whose_model_cannot_load_is_failed(ai_cloud, boto_client) -> None:  # type: ignore[no-untyped-def]
    """Plain boto3: the endpoint loads its model on creation, as SageMaker's does, or ends Failed."""
    sagemaker, s3 = boto_client("sagemaker"), boto_client("s3")
    bucket = f"broken-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="corrupt.tar.gz", Body=b"not an archive")
    for name, key in (("corrupt", "corrupt.tar.gz"), ("missing", "missing.tar.gz")):
        endpoint = f"{name}-{uuid.uuid4().hex[:6]}"
        sagemaker.create_model(
            ModelName=endpoint,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={"Image": "sklearn", "ModelDataUrl": f"s3://{bucket}/{key}"},
        )
        variant = {"VariantName": "AllTraffic", "ModelName": endpoint, "InstanceType": "ml.m5.large"}
        sagemaker.create_endpoint_config(EndpointConfigName=endpoint, ProductionVariants=[variant])
        sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=endpoint)
        described = sagemaker.describe_endpoint(EndpointName=endpoint)
        assert described["EndpointStatus"] == "Failed"
        if name == "corrupt":
            assert "did not pass the ping health check" in described["FailureReason"]
            assert "not a model.tar.gz archive" in described["FailureReason"]
        else:
            assert described["FailureReason"].startswith(f"Failed to download model data(bucket: {bucket}")
        error = _error(boto_client("sagemaker-runtime").invoke_endpoint, EndpointName=endpoint, Body=b"1")
        assert error["Error"]["Code"] == "ValidationError" and "is Failed" in error["Error"]["Message"]
        again = _error(sagemaker.create_endpoint, EndpointName=endpoint, EndpointConfigName=endpoint)
        assert (
            again["Error"]["Code"] == "ValidationException"
            and "already existing" in again["Error"]["Message"]
        )


def test_deploying_a_corrupt_artifact_fails_and_leaves_nothing(ai_cloud, boto_client) -> None:  # type: ignore[no-untyped-def]
    from multi_cloud.core.errors import InvalidArgument

    provider = AWSProvider()
    bucket = f"broken-{uuid.uuid4().hex[:8]}"
    provider.storage.create_bucket(bucket)
    provider.storage.put_object(bucket, "model.tar.gz", b"not an archive")
    name = f"broken-{uuid.uuid4().hex[:6]}"
    with pytest.raises(InvalidArgument, match="failed to start: The primary container"):
        provider.models.deploy(f"s3://{bucket}/model.tar.gz", name)
    assert boto_client("sagemaker").list_endpoints(NameContains=name)["Endpoints"] == []
    assert boto_client("sagemaker").list_models(NameContains=name)["Models"] == []
