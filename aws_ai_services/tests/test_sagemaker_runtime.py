"""SageMaker Runtime InvokeEndpoint over the wire: the endpoint's trained model (from moto) predicts."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import numpy as np
import pytest
from aws_ai_services.client import AWSProvider
from botocore.exceptions import ClientError
from multi_cloud.emulation.script_mode import pack_model_dir

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
    answer = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType="text/csv")
    assert answer["ContentType"] == "text/csv"
    assert answer["InvokedProductionVariant"] == "AllTraffic"
    predicted = [int(line) for line in answer["Body"].read().decode().split()]
    assert predicted == model.predict(np.asarray(ROWS)).tolist()
    assert len(set(predicted)) == 3  # three different flowers: computed, not canned


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
    assert answer["ContentType"] == "text/csv"
    assert [int(v) for v in answer["Body"].read().split()] == expected


def test_numpy_payloads(runtime, iris) -> None:  # type: ignore[no-untyped-def]
    endpoint, model = iris
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(ROWS))
    answer = runtime.invoke_endpoint(
        EndpointName=endpoint, Body=buffer.getvalue(), ContentType="application/x-npy"
    )
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
