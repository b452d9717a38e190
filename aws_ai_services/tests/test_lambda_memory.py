"""Lambda's MemorySize holds the whole execution environment: REPORT never says more, over it is killed."""

from __future__ import annotations

import base64
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from aws_ai_services.emulator.lambda_runtime import install
from botocore.config import Config

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="resident memory is read from /proc (Linux)"
)

MEMORY_MB = 256
HANDLER = """
def handler(event, context):
    chunks = [bytearray(1024 * 1024) for _ in range(event["mb"])]  # touched: resident, as real work is
    return {"allocated_mb": len(chunks), "limit_mb": int(context.memory_limit_in_mb)}
"""
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
REPORT = re.compile(
    r"REPORT RequestId: \S+\tDuration: [\d.]+ ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB"
)


@pytest.fixture(scope="module", autouse=True)
def lambda_runtime() -> None:
    install()


@pytest.fixture
def raw_lambda(clean_cloud: Any, boto_client: Callable[..., Any]) -> Any:
    """A 256 MB function created as AWS's Lambda guide does, with plain boto3."""
    iam = boto_client("iam")
    role = iam.create_role(RoleName="memory-fn", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    client = boto_client("lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=60))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    client.create_function(
        FunctionName="memory-fn",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
        Timeout=30,
        MemorySize=MEMORY_MB,
    )
    return client


def invoke(client: Any, mb: int) -> tuple[dict[str, Any], str, tuple[int, int]]:
    response = client.invoke(FunctionName="memory-fn", Payload=json.dumps({"mb": mb}), LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    report = REPORT.search(log)
    assert report is not None, log
    used = (int(report.group(1)), int(report.group(2)))
    return json.loads(response["Payload"].read()), response.get("FunctionError", ""), used


def test_a_function_within_its_memory_reports_what_it_used(raw_lambda: Any) -> None:
    payload, error, (size, used) = invoke(raw_lambda, 100)
    assert error == "" and payload == {"allocated_mb": 100, "limit_mb": MEMORY_MB}
    assert size == MEMORY_MB and 100 < used <= MEMORY_MB  # the runtime's own memory counts too


def test_a_function_over_its_memory_size_is_killed_as_lambda_reports_it(raw_lambda: Any) -> None:
    # 245 MB of data plus the runtime does not fit in 256 MB (it used to succeed, reporting ~270 MB)
    payload, error, (size, used) = invoke(raw_lambda, 245)
    assert error == "Unhandled"
    assert payload["errorType"] == "Runtime.OutOfMemory"
    assert re.fullmatch(
        r"RequestId: \S+ Error: Runtime exited with error: signal: killed", payload["errorMessage"]
    )
    assert size == MEMORY_MB and used <= MEMORY_MB  # never more than configured
    # the killed environment is replaced: the next invocation starts cold and works
    payload, error, (_, used) = invoke(raw_lambda, 50)
    assert error == "" and payload["allocated_mb"] == 50 and used <= MEMORY_MB


def test_far_over_the_limit_in_one_allocation_is_out_of_memory_too(raw_lambda: Any) -> None:
    payload, error, (_, used) = invoke(raw_lambda, 2048)
    assert error == "Unhandled" and payload["errorType"] == "Runtime.OutOfMemory"
    assert used <= MEMORY_MB


@pytest.mark.parametrize(
    ("member", "value", "field"), [("MemorySize", 10_241, "memorySize"), ("Timeout", 901, "timeout")]
)
def test_a_limit_beyond_lambdas_is_refused_as_aws_refuses_it(
    raw_lambda: Any, member: str, value: int, field: str
) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        raw_lambda.update_function_configuration(FunctionName="memory-fn", **{member: value})
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(f"1 validation error detected: Value '{value}' at '{field}'")
    configuration = raw_lambda.get_function_configuration(FunctionName="memory-fn")
    assert (configuration["MemorySize"], configuration["Timeout"]) == (MEMORY_MB, 30)  # unchanged
