"""Lambda on the local cloud: real handler code runs for invoke, async invoke, SQS and S3 triggers."""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.lambda_runtime import install
from aws_ai_services.serverless.lambda_functions import LambdaFunctions
from aws_ai_services.serverless.packaging import code_sha256, package_directory
from botocore.config import Config
from botocore.exceptions import ClientError
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.testing.conformance.functions import FunctionConformance

HANDLERS = Path(__file__).parent / "handlers"


@pytest.fixture(scope="module", autouse=True)
def lambda_runtime() -> None:
    install()  # the cloudai.moto_patches entry point does this when the local cloud starts; idempotent


@pytest.fixture
def lambdas(clean_cloud: Any) -> LambdaFunctions:
    return LambdaFunctions()


@pytest.fixture
def raw_lambda(boto_client: Callable[..., Any]) -> Any:
    """A plain boto3 Lambda client that does not retry, to see each answer as the service sent it."""
    return boto_client("lambda", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def results_bucket(boto_client: Callable[..., Any]) -> str:
    boto_client("s3").create_bucket(Bucket="lambda-results")
    return "lambda-results"


def wait_for_keys(s3: Any, bucket: str, prefix: str, count: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
        if len(keys) >= count or time.monotonic() > deadline:
            return sorted(keys)
        time.sleep(0.1)


# ----------------------------------------------------------------------------- installation
def test_install_is_idempotent_and_wraps_moto_once() -> None:
    from moto.awslambda.models import LambdaFunction

    install()
    install()
    patched = LambdaFunction.invoke
    assert getattr(patched, "__cloudai_patched__", False)
    assert not getattr(patched.__wrapped__, "__cloudai_patched__", False)  # moto's own method underneath


def test_patches_wait_for_the_first_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from aws_ai_services.emulator.moto_patching import when_imported

    (tmp_path / "late_module_xyz.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: list[int] = []
    when_imported("late_module_xyz", lambda module: seen.append(module.VALUE))
    assert seen == []
    try:
        importlib.import_module("late_module_xyz")
        assert seen == [1]
        when_imported("late_module_xyz", lambda module: seen.append(module.VALUE + 1))  # imported: at once
        assert seen == [1, 2]
    finally:
        sys.modules.pop("late_module_xyz", None)


# ----------------------------------------------------------------------------- packaging and deploy
def test_package_is_deterministic_and_leaves_caches_out(tmp_path: Path, lambdas: LambdaFunctions) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text((HANDLERS / "echo" / "app.py").read_text())
    first = package_directory(source)
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\x00compiled")
    assert package_directory(source) == first
    config = lambdas.deploy("packaged", str(source), "app.handler")
    assert config["CodeSha256"] == code_sha256(first)
    assert config["Version"] == "1"
    with pytest.raises(NotFound):
        package_directory(tmp_path / "missing")


def test_deploy_validates_the_handler_before_uploading(lambdas: LambdaFunctions) -> None:
    with pytest.raises(InvalidArgument, match="no missing.py"):
        lambdas.deploy("bad", str(HANDLERS / "echo"), "missing.handler")
    with pytest.raises(InvalidArgument, match="defines no top-level 'nope'"):
        lambdas.deploy("bad", str(HANDLERS / "echo"), "app.nope")
    assert [f["FunctionName"] for f in lambdas.list()] == []


# ----------------------------------------------------------------------------- invoke
def test_invoke_runs_the_handler_cold_then_warm(lambdas: LambdaFunctions) -> None:
    lambdas.deploy("echo", str(HANDLERS / "echo"), "app.handler", environment={"GREETING": "hola"})
    first = lambdas.invoke("echo", {"numbers": [1, 2, 3.5]})
    second = lambdas.invoke("echo", {"numbers": [10, -4]})
    assert first.ok and first.status_code == 200
    assert first.payload["total"] == 6.5 and second.payload["total"] == 6
    assert first.payload["function"] == "echo" and first.payload["greeting"] == "hola"
    assert (first.payload["invocations"], second.payload["invocations"]) == (1, 2)  # same warm worker
    assert (first.cold_start, second.cold_start) == (True, False)
    assert first.payload["request_id"] in first.logs
    assert "hello from echo" in first.logs and "Init Duration" in first.logs


def test_versions_and_aliases_keep_their_own_code(lambdas: LambdaFunctions) -> None:
    assert lambdas.deploy("calc", str(HANDLERS / "echo"), "app.handler")["Version"] == "1"
    assert lambdas.deploy("calc", str(HANDLERS / "echo_v2"), "app.handler")["Version"] == "2"
    lambdas.set_alias("calc", "stable", "1")
    event = {"numbers": [2, 3, 4]}
    assert lambdas.invoke("calc", event).payload == {"total": 24, "code": "v2"}  # $LATEST
    assert lambdas.invoke("calc", event, qualifier="1").payload["total"] == 9
    assert lambdas.invoke("calc", event, qualifier="stable").payload["code"] == "v1"
    lambdas.set_alias("calc", "stable", "2")
    assert lambdas.invoke("calc", event, qualifier="stable").payload["code"] == "v2"


def test_handler_exception_has_lambdas_error_shape(lambdas: LambdaFunctions, raw_lambda: Any) -> None:
    lambdas.deploy("failing", str(HANDLERS / "failing"), "app.handler")
    answer = raw_lambda.invoke(FunctionName="failing", Payload=b'{"quantity": -2}', LogType="Tail")
    error = json.loads(answer["Payload"].read())
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "quantity must be positive, got -2"
    assert [frame.split(", in ")[1].split("\n")[0] for frame in error["stackTrace"]] == [
        "handler",
        "validate",
    ]
    assert all(frame.startswith('  File "/var/task/app.py"') for frame in error["stackTrace"])
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "validating {'quantity': -2}" in tail and "[ERROR] ValueError: quantity must be positive" in tail

    result = lambdas.invoke("failing", {"quantity": 0})
    assert not result.ok and result.error_type == "ValueError" and "got 0" in result.error_message
    assert "in validate\n    raise ValueError" in result.traceback


def test_timeout_is_reported_as_lambda_does(lambdas: LambdaFunctions) -> None:
    lambdas.deploy("slow", str(HANDLERS / "slow"), "app.handler", timeout_seconds=1)
    started = time.monotonic()
    result = lambdas.invoke("slow", {"seconds": 10})
    assert time.monotonic() - started < 6
    assert result.error_type == "Sandbox.Timedout"
    assert result.error_message.endswith("Error: Task timed out after 1.00 seconds")
    assert lambdas.invoke("slow", {"seconds": 0.01}).payload == {"slept": 0.01}  # a fresh worker serves on


def test_unloadable_handlers_fail_at_init(raw_lambda: Any, lambdas: LambdaFunctions) -> None:
    package = package_directory(HANDLERS / "echo")
    for name, handler in (("no-module", "missing.handler"), ("no-function", "app.nope")):
        raw_lambda.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=lambdas.role_arn,
            Handler=handler,
            Code={"ZipFile": package},
        )
    missing_module = lambdas.invoke("no-module", {})
    missing_function = lambdas.invoke("no-function", {})
    assert missing_module.error_type == "Runtime.ImportModuleError"
    assert missing_module.error_message == "Unable to import module 'missing': No module named 'missing'"
    assert missing_function.error_type == "Runtime.HandlerNotFound"
    assert missing_function.error_message == "Handler 'nope' missing on module 'app'"


# ----------------------------------------------------------------------------- request errors
def test_unknown_function_is_resource_not_found(raw_lambda: Any, lambdas: LambdaFunctions) -> None:
    with pytest.raises(ClientError) as caught:
        raw_lambda.invoke(FunctionName="ghost", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(NotFound, match="ResourceNotFoundException"):
        lambdas.invoke("ghost", {})
    with pytest.raises(NotFound):
        lambdas.delete("ghost")


def test_bad_payload_and_unsupported_runtime_are_request_errors(
    raw_lambda: Any, lambdas: LambdaFunctions
) -> None:
    lambdas.deploy("echo", str(HANDLERS / "echo"), "app.handler")
    with pytest.raises(ClientError) as bad_json:
        raw_lambda.invoke(FunctionName="echo", Payload=b"{not json")
    assert bad_json.value.response["Error"]["Code"] == "InvalidRequestContentException"
    with pytest.raises(InvalidArgument, match="not JSON-serialisable"):
        lambdas.invoke("echo", {"when": object()})

    raw_lambda.create_function(
        FunctionName="node",
        Runtime="nodejs20.x",
        Role=lambdas.role_arn,
        Handler="index.handler",
        Code={"ZipFile": package_directory(HANDLERS / "echo")},
    )
    with pytest.raises(ClientError) as unsupported:
        raw_lambda.invoke(FunctionName="node", Payload=b"{}")
    assert unsupported.value.response["Error"]["Code"] == "InvalidRuntimeException"
    assert unsupported.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert "nodejs20.x" in unsupported.value.response["Error"]["Message"]


def test_reserved_concurrency_zero_throttles(raw_lambda: Any, lambdas: LambdaFunctions) -> None:
    lambdas.deploy("echo", str(HANDLERS / "echo"), "app.handler")
    raw_lambda.put_function_concurrency(FunctionName="echo", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        raw_lambda.invoke(FunctionName="echo", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"


# ----------------------------------------------------------------------------- asynchronous paths
def test_async_invoke_runs_in_the_background(
    lambdas: LambdaFunctions, results_bucket: str, boto_client: Callable[..., Any]
) -> None:
    env = {"RESULTS_BUCKET": results_bucket, "PREFIX": "async"}
    lambdas.deploy("recorder", str(HANDLERS / "recorder"), "app.handler", environment=env)
    assert lambdas.invoke_async("recorder", {"job": 42}) == 202
    keys = wait_for_keys(boto_client("s3"), results_bucket, "async/", 1)
    assert len(keys) == 1
    stored = boto_client("s3").get_object(Bucket=results_bucket, Key=keys[0])["Body"].read()
    assert json.loads(stored) == {"job": 42}
    assert any("REPORT RequestId" in line for line in lambdas.logs("recorder"))


def test_sqs_messages_run_the_handler_and_leave_the_queue(
    lambdas: LambdaFunctions, results_bucket: str, boto_client: Callable[..., Any]
) -> None:
    sqs = boto_client("sqs")
    queue = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    env = {"RESULTS_BUCKET": results_bucket, "PREFIX": "sqs"}
    lambdas.deploy("recorder", str(HANDLERS / "recorder"), "app.handler", environment=env)
    lambdas.add_sqs_trigger("recorder", queue_arn, batch_size=5)
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    keys = wait_for_keys(boto_client("s3"), results_bucket, "sqs/", 2)
    events = [
        json.loads(boto_client("s3").get_object(Bucket=results_bucket, Key=k)["Body"].read()) for k in keys
    ]
    assert sorted(e["Records"][0]["body"] for e in events) == ["first", "second"]
    assert {e["Records"][0]["eventSourceARN"] for e in events} == {queue_arn}
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)


def test_failed_sqs_message_stays_in_the_queue(
    lambdas: LambdaFunctions, results_bucket: str, boto_client: Callable[..., Any]
) -> None:
    sqs = boto_client("sqs")
    queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lambdas.deploy(
        "recorder", str(HANDLERS / "recorder"), "app.handler", environment={"RESULTS_BUCKET": results_bucket}
    )
    lambdas.add_sqs_trigger("recorder", queue_arn)
    sqs.send_message(QueueUrl=queue, MessageBody="poison")
    received = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in received] == ["poison"]
    assert any("[ERROR] RuntimeError: poison message" in line for line in lambdas.logs("recorder"))


def test_s3_upload_runs_the_handler(lambdas: LambdaFunctions, boto_client: Callable[..., Any]) -> None:
    s3 = boto_client("s3")
    s3.create_bucket(Bucket="uploads")
    lambdas.deploy("upper", str(HANDLERS / "s3_upper"), "app.handler")
    lambdas.add_s3_trigger("upper", "uploads", prefix="incoming/", suffix=".txt")
    s3.put_object(Bucket="uploads", Key="incoming/note one.txt", Body=b"shout this")
    s3.put_object(Bucket="uploads", Key="incoming/skip.csv", Body=b"not matched")
    keys = wait_for_keys(s3, "uploads", "processed/", 1)
    assert keys == ["processed/note one.txt"]
    assert s3.get_object(Bucket="uploads", Key=keys[0])["Body"].read() == b"SHOUT THIS"


# ----------------------------------------------------------------------------- capability
class TestAWSFunctionConformance(FunctionConformance):
    @pytest.fixture
    def provider(self, clean_cloud: Any) -> AWSProvider:
        return AWSProvider()


def test_functions_capability_round_trip(clean_cloud: Any) -> None:
    provider = AWSProvider()
    info = provider.functions.deploy(
        "cap", str(HANDLERS / "echo"), "app.handler", timeout_seconds=5, memory_mb=192
    )
    assert (info.name, info.handler, info.timeout_seconds, info.memory_mb, info.version) == (
        "cap",
        "app.handler",
        5,
        192,
        "1",
    )
    assert provider.functions.invoke("cap", {"numbers": [4, 5]}).payload["total"] == 9
    assert [f.name for f in provider.functions.list_functions()] == ["cap"]
    provider.functions.delete("cap")
    assert provider.functions.list_functions() == []
    with pytest.raises(NotFound):
        provider.functions.invoke("cap", {})
