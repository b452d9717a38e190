"""Batch transform: split/mini-batch/assemble options, JSONPath filters, joins, content types, errors."""

from __future__ import annotations

import json
import math
import tempfile
import uuid
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.sagemaker_batch.jsonpath_filter import FilterError, apply_filter
from aws_ai_services.sagemaker.batch.transform_options import BYTES_PER_MB, TransformOptions
from botocore.exceptions import WaiterError
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.jobs.script_mode import pack_model_dir

ROWS = [[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 4.2, 1.5], [6.7, 3.0, 5.2, 2.3]]
CLASSES = [0, 1, 2]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def iris_archive() -> bytes:
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(LogisticRegression(max_iter=500).fit(data.data, data.target), Path(work) / "model.joblib")
        return pack_model_dir(Path(work))


@pytest.fixture
def bucket(provider: AWSProvider, iris_archive: bytes) -> str:
    name = unique("batch")
    provider.storage.create_bucket(name)
    provider.storage.put_object(name, "model/model.tar.gz", iris_archive)
    return name


def _run(provider: AWSProvider, bucket: str, files: dict[str, bytes], options: TransformOptions):  # type: ignore[no-untyped-def]
    """Transform ``files`` (uploaded under a fresh prefix) into a fresh output prefix."""
    run = unique("run")
    for key, body in files.items():
        provider.storage.put_object(bucket, f"{run}/in/{key}", body)
    return provider.models.transformer.transform(
        f"s3://{bucket}/model/model.tar.gz",
        f"s3://{bucket}/{run}/in/",
        f"s3://{bucket}/{run}/out/",
        job_name=unique("transform"),
        options=options,
    )


def _out(provider: AWSProvider, job, key: str) -> str:  # type: ignore[no-untyped-def]
    bucket, prefix = job.output_uri.removeprefix("s3://").split("/", 1)
    return provider.storage.get_object(bucket, f"{prefix}{key}.out").decode()


def test_csv_with_an_id_column_filtered_out_and_joined_back(
    provider: AWSProvider, bucket: str, boto_client
) -> None:  # type: ignore[no-untyped-def]
    body = "".join(f"id-{i},{','.join(map(str, row))}\n" for i, row in enumerate(ROWS)).encode()
    options = TransformOptions(input_filter="$[1:]", join_source="Input", output_filter="$[0,-1]")
    job = _run(provider, bucket, {"rows.csv": body}, options)
    assert (job.status, job.records, job.objects) == ("Completed", 3, 1), job.failure_reason
    assert _out(provider, job, "rows.csv") == "".join(f"id-{i},{c}\n" for i, c in enumerate(CLASSES))
    described = boto_client("sagemaker").describe_transform_job(TransformJobName=job.name)
    assert described["DataProcessing"] == {
        "InputFilter": "$[1:]",
        "OutputFilter": "$[0,-1]",
        "JoinSource": "Input",
    }
    assert (described["BatchStrategy"], described["MaxPayloadInMB"]) == ("MultiRecord", 6)
    assert described["TransformInput"]["SplitType"] == "Line"
    assert described["TransformOutput"]["AssembleWith"] == "Line"
    whole = _run(
        provider, bucket, {"rows.csv": body}, TransformOptions(input_filter="$[1:]", join_source="Input")
    )
    assert whole.status == "Completed"
    assert _out(provider, whole, "rows.csv").splitlines()[2] == "id-2,6.7,3.0,5.2,2.3,2"


def test_single_record_sends_one_request_per_record_and_multi_record_packs_them(
    provider: AWSProvider, bucket: str
) -> None:
    body = "".join(",".join(map(str, row)) + "\n" for row in ROWS * 2).encode()
    single = _run(provider, bucket, {"a.csv": body}, TransformOptions(batch_strategy="SingleRecord"))
    assert (single.records, single.mini_batches) == (6, 6)
    multi = _run(provider, bucket, {"a.csv": body}, TransformOptions(batch_strategy="MultiRecord"))
    assert (multi.records, multi.mini_batches) == (6, 1)
    assert _out(provider, multi, "a.csv") == "0\n1\n2\n0\n1\n2\n"


def test_max_payload_splits_a_large_object_into_mini_batches(provider: AWSProvider, bucket: str) -> None:
    line = b"5.1,3.5,1.4,0.2\n"
    count = (BYTES_PER_MB * 3 // 2) // len(line)  # about 1.5 MB of records
    job = _run(provider, bucket, {"big.csv": line * count}, TransformOptions(max_payload_mb=1))
    assert job.status == "Completed", job.failure_reason
    per_batch = BYTES_PER_MB // len(line)
    assert (job.records, job.mini_batches) == (count, math.ceil(count / per_batch))
    assert _out(provider, job, "big.csv") == "0\n" * count


def test_json_lines_records_with_join_and_key_filters(provider: AWSProvider, bucket: str) -> None:
    lines = "".join(json.dumps({"id": i, "features": row}) + "\n" for i, row in enumerate(ROWS)).encode()
    options = TransformOptions(
        content_type="application/jsonlines",
        input_filter="$.features",
        join_source="Input",
        output_filter="$['id','SageMakerOutput']",
    )
    job = _run(provider, bucket, {"rows.jsonl": lines}, options)
    assert job.status == "Completed", job.failure_reason
    out = [json.loads(line) for line in _out(provider, job, "rows.jsonl").splitlines()]
    assert out == [{"id": i, "SageMakerOutput": c} for i, c in enumerate(CLASSES)]
    arrays = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    joined = _run(
        provider,
        bucket,
        {"arrays.jsonl": arrays},
        TransformOptions(content_type="application/jsonlines", join_source="Input"),
    )
    assert joined.status == "Completed", joined.failure_reason
    first = json.loads(_out(provider, joined, "arrays.jsonl").splitlines()[0])
    assert first == {
        "SageMakerInput": ROWS[0],
        "SageMakerOutput": 0,
    }  # not an object: wrapped, as in SageMaker


def test_whole_object_records_and_assemble_none(provider: AWSProvider, bucket: str) -> None:
    options = TransformOptions(content_type="application/json", split_type="None", assemble_with="None")
    job = _run(provider, bucket, {"batch.json": json.dumps({"instances": ROWS}).encode()}, options)
    assert (job.status, job.records, job.mini_batches) == ("Completed", 1, 1), job.failure_reason
    assert _out(provider, job, "batch.json") == json.dumps(CLASSES)
    csv_none = _run(
        provider,
        bucket,
        {"r.csv": b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n"},
        TransformOptions(assemble_with="None"),
    )
    assert csv_none.status == "Completed" and _out(provider, csv_none, "r.csv") == "02"


def test_transform_failures_look_like_sagemaker(provider: AWSProvider, bucket: str, boto_client) -> None:  # type: ignore[no-untyped-def]
    parquet = _run(
        provider,
        bucket,
        {"x.csv": b"5.1,3.5,1.4,0.2\n"},
        TransformOptions(content_type="application/x-parquet"),
    )
    assert parquet.status == "Failed"
    assert parquet.failure_reason.startswith("ClientError: 415 Unsupported Media Type")
    assert "application/x-parquet" in parquet.failure_reason
    outside = _run(
        provider,
        bucket,
        {"x.csv": b"5.1,3.5,1.4,0.2\n"},
        TransformOptions(join_source="Input", output_filter="$[7]"),
    )
    assert (
        outside.status == "Failed"
        and "index 7" in outside.failure_reason
        and "line 1" in outside.failure_reason
    )
    too_big = _run(
        provider,
        bucket,
        {"x.json": json.dumps(ROWS * 25000).encode()},
        TransformOptions(content_type="application/json", split_type="None", max_payload_mb=1),
    )
    assert too_big.status == "Failed" and "over MaxPayloadInMB=1" in too_big.failure_reason

    for options, member in (
        (TransformOptions(split_type="Bogus"), "transformInput.splitType"),
        (TransformOptions(batch_strategy="AllAtOnce"), "batchStrategy"),
        (TransformOptions(join_source="Output"), "dataProcessing.joinSource"),
        (TransformOptions(max_payload_mb=101), "maxPayloadInMB"),
        (TransformOptions(input_filter="features[0]"), "inputFilter"),
    ):
        name = unique("invalid")
        with pytest.raises(InvalidArgument, match=member) as caught:
            provider.models.transformer.transform(
                f"s3://{bucket}/model/model.tar.gz",
                f"s3://{bucket}/in/",
                f"s3://{bucket}/o/",
                job_name=name,
                options=options,
            )
        assert caught.value.cause.response["Error"]["Code"] == "ValidationException"  # type: ignore[union-attr]
        with pytest.raises(boto_client("sagemaker").exceptions.ClientError):
            boto_client("sagemaker").describe_transform_job(TransformJobName=name)  # nothing was created
    recordio = _run(provider, bucket, {"x.rec": b"\x00"}, TransformOptions(split_type="RecordIO"))
    assert recordio.status == "Failed" and "SplitType RecordIO" in recordio.failure_reason


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$", ["id", "1", "2", "3"]),
        ("$[1:]", ["1", "2", "3"]),
        ("$[:2]", ["id", "1"]),
        ("$[0,-1]", ["id", "3"]),
        ("$[0,2:]", ["id", "2", "3"]),
        ("$[-1]", "3"),
    ],
)
def test_jsonpath_index_forms(expression: str, expected: object) -> None:
    assert apply_filter(expression, ["id", "1", "2", "3"]) == expected


def test_jsonpath_key_forms_and_errors() -> None:
    record = {"id": 7, "features": [1, 2, 3], "meta": {"source": "web"}}
    assert apply_filter("$.features", record) == [1, 2, 3]
    assert apply_filter("$.features[1:]", record) == [2, 3]
    assert apply_filter("$['meta']['source']", record) == "web"
    assert apply_filter("$.meta.source", record) == "web"
    assert apply_filter("$['id','features']", record) == {"id": 7, "features": [1, 2, 3]}
    for expression, phrase in (
        ("features", "must start with '\\$'"),
        ("$.missing", "names missing"),
        ("$[x]", "neither an index"),
        ("$[9]", "outside the record"),
        ("$" + ".k" * 40, "longer than 63"),
    ):
        with pytest.raises(FilterError, match=phrase):
            apply_filter(expression, record if "missing" in expression else ["a", "b"])


# ------------------------------------------------------------------ plain boto3, nothing of this package
def _boto3_transform(boto_client, name: str, model: str, input_uri: str, output_uri: str, **extra):  # type: ignore[no-untyped-def]
    sagemaker = boto_client("sagemaker")
    sagemaker.create_transform_job(
        TransformJobName=name,
        ModelName=model,
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={"S3OutputPath": output_uri, "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        **extra,
    )
    try:
        sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    except WaiterError as exc:
        assert "Failed" in str(exc)  # the waiter's way of saying the job failed
    return sagemaker.describe_transform_job(TransformJobName=name)


def _boto3_model(boto_client, name: str, artifact: str) -> str:  # type: ignore[no-untyped-def]
    boto_client("sagemaker").create_model(
        ModelName=name,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "sklearn", "ModelDataUrl": artifact},
    )
    return name


def test_plain_boto3_transform_job_runs_in_the_local_cloud(boto_client, iris_archive: bytes) -> None:  # type: ignore[no-untyped-def]
    s3 = boto_client("s3")
    bucket = unique("plain")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="model.tar.gz", Body=iris_archive)
    s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    s3.put_object(Bucket=bucket, Key="in/b.csv", Body=b"5.9,3.0,4.2,1.5\n")
    model = _boto3_model(boto_client, unique("m"), f"s3://{bucket}/model.tar.gz")
    name = unique("job")
    described = _boto3_transform(boto_client, name, model, f"s3://{bucket}/in/", f"s3://{bucket}/out/")
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert described["TransformStartTime"] <= described["TransformEndTime"]
    out = {
        key: s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in ("out/a.csv.out", "out/b.csv.out")
    }
    assert out == {"out/a.csv.out": b"0\n2\n", "out/b.csv.out": b"1\n"}
    log = boto_client("logs").get_log_events(
        logGroupName="/aws/sagemaker/TransformJobs", logStreamName=f"{name}/i-0local0transform"
    )
    assert sum("POST /invocations" in e["message"] for e in log["events"]) == 2  # one request per object

    sagemaker = boto_client("sagemaker")
    with pytest.raises(sagemaker.exceptions.ClientError) as duplicate:
        _boto3_transform(boto_client, name, model, f"s3://{bucket}/in/", f"s3://{bucket}/out/")
    assert duplicate.value.response["Error"]["Code"] == "ResourceInUse"
    with pytest.raises(sagemaker.exceptions.ClientError) as no_model:
        _boto3_transform(
            boto_client, unique("job"), "no-such-model", f"s3://{bucket}/in/", f"s3://{bucket}/o/"
        )
    assert no_model.value.response["Error"]["Code"] == "ValidationException"
    assert no_model.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sagemaker.exceptions.ClientError) as bad:
        _boto3_transform(
            boto_client,
            unique("job"),
            model,
            f"s3://{bucket}/in/",
            f"s3://{bucket}/o/",
            BatchStrategy="AllAtOnce",
        )
    assert bad.value.response["Error"]["Code"] == "ValidationException"
    assert "batchStrategy" in bad.value.response["Error"]["Message"]


def test_plain_boto3_transform_failures_are_failed_jobs_with_reasons(
    boto_client, iris_archive: bytes
) -> None:  # type: ignore[no-untyped-def]
    s3 = boto_client("s3")
    bucket = unique("fail")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="corrupt.tar.gz", Body=b"not a tar archive")
    s3.put_object(Bucket=bucket, Key="model.tar.gz", Body=iris_archive)
    s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"5.1,3.5,1.4,0.2\n")
    corrupt = _boto3_model(boto_client, unique("corrupt"), f"s3://{bucket}/corrupt.tar.gz")
    described = _boto3_transform(
        boto_client, unique("job"), corrupt, f"s3://{bucket}/in/", f"s3://{bucket}/o/"
    )
    assert described["TransformJobStatus"] == "Failed"
    assert described["FailureReason"].startswith("ClientError: the model at s3://")
    assert "not a model.tar.gz archive" in described["FailureReason"]
    model = _boto3_model(boto_client, unique("m"), f"s3://{bucket}/model.tar.gz")
    empty = _boto3_transform(
        boto_client, unique("job"), model, f"s3://{bucket}/nothing/", f"s3://{bucket}/o/"
    )
    assert empty["TransformJobStatus"] == "Failed"
    assert empty["FailureReason"] == f"ClientError: no S3 objects found under s3://{bucket}/nothing/"
    gone = _boto3_model(boto_client, unique("gone"), f"s3://{bucket}/missing.tar.gz")
    missing = _boto3_transform(boto_client, unique("job"), gone, f"s3://{bucket}/in/", f"s3://{bucket}/o/")
    assert missing["TransformJobStatus"] == "Failed"
    assert "Could not find model data at s3://" in missing["FailureReason"]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="o/")


#: input objects of the stop test: the job takes about a second, the stop arrives within milliseconds
OBJECTS_TO_STOP = 1500


def test_plain_boto3_stop_transform_job(boto_client, iris_archive: bytes) -> None:  # type: ignore[no-untyped-def]
    s3, sagemaker = boto_client("s3"), boto_client("sagemaker")
    bucket = unique("stop")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="model.tar.gz", Body=iris_archive)
    from concurrent.futures import ThreadPoolExecutor

    def put(index: int) -> None:
        s3.put_object(Bucket=bucket, Key=f"in/{index:04d}.csv", Body=b"5.1,3.5,1.4,0.2\n")

    with ThreadPoolExecutor(16) as pool:  # the job takes far longer than the stop call takes to arrive
        list(pool.map(put, range(OBJECTS_TO_STOP)))
    model = _boto3_model(boto_client, unique("m"), f"s3://{bucket}/model.tar.gz")
    name = _stop_mid_job(sagemaker, model, bucket)
    sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )
    assert sagemaker.describe_transform_job(TransformJobName=name)["TransformJobStatus"] == "Stopped"
    written = s3.list_objects_v2(Bucket=bucket, Prefix=f"out/{name}/").get("KeyCount", 0)
    assert written < OBJECTS_TO_STOP, written  # it stopped before the end
    with pytest.raises(sagemaker.exceptions.ClientError) as again:
        sagemaker.stop_transform_job(TransformJobName=name)
    assert again.value.response["Error"]["Code"] == "ValidationException"
    assert "only an InProgress job can be stopped" in again.value.response["Error"]["Message"]
    with pytest.raises(sagemaker.exceptions.ClientError) as unknown:
        sagemaker.stop_transform_job(TransformJobName="no-such-job")
    assert unknown.value.response["Error"]["Code"] == "ValidationException"


def _stop_mid_job(sagemaker, model: str, bucket: str) -> str:  # type: ignore[no-untyped-def]
    """Start a transform job and stop it at once; its name. On a loaded machine the whole job can end
    before the stop arrives (SageMaker then refuses the stop, as asserted): start another, at most thrice."""
    for _attempt in range(3):
        name = unique("job")
        sagemaker.create_transform_job(
            TransformJobName=name,
            ModelName=model,
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/in/"}}
            },
            TransformOutput={"S3OutputPath": f"s3://{bucket}/out/{name}/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )
        try:
            sagemaker.stop_transform_job(TransformJobName=name)
            return name
        except sagemaker.exceptions.ClientError as late:
            assert "is Completed; only an InProgress job can be stopped" in late.response["Error"]["Message"]
    pytest.fail(f"three jobs of {OBJECTS_TO_STOP} objects each ended before a stop request reached them")


def test_the_sagemaker_sdk_transform_job_runs(boto_client, iris_archive: bytes) -> None:  # type: ignore[no-untyped-def]
    """The SageMaker Python SDK 3.x (sagemaker-core's TransformJob) gets the same server-side job."""
    from sagemaker.core.resources import TransformJob
    from sagemaker.core.shapes import (
        TransformDataSource,
        TransformInput,
        TransformOutput,
        TransformResources,
        TransformS3DataSource,
    )

    s3 = boto_client("s3")
    bucket = unique("sdk")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="model.tar.gz", Body=iris_archive)
    s3.put_object(Bucket=bucket, Key="in/rows.csv", Body=b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    model = _boto3_model(boto_client, unique("m"), f"s3://{bucket}/model.tar.gz")
    job = TransformJob.create(
        transform_job_name=unique("sdk-job"),
        model_name=model,
        transform_input=TransformInput(
            data_source=TransformDataSource(
                s3_data_source=TransformS3DataSource(s3_data_type="S3Prefix", s3_uri=f"s3://{bucket}/in/")
            ),
            content_type="text/csv",
            split_type="Line",
        ),
        transform_output=TransformOutput(s3_output_path=f"s3://{bucket}/out/", assemble_with="Line"),
        transform_resources=TransformResources(instance_type="ml.m5.large", instance_count=1),
    )
    job.wait(poll=1, timeout=60)
    assert job.transform_job_status == "Completed", job.failure_reason
    assert s3.get_object(Bucket=bucket, Key="out/rows.csv.out")["Body"].read() == b"0\n2\n"
