"""moto's own failures reach the SDK in AWS's error shape: crashes, HTML pages, unknown operations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from multi_cloud.emulation.http.aws_wire_errors import aws_wire
from multi_cloud.emulation.http.error_filter import ErrorFilter
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.testing.fuzz.shapes import aws_error_code
from multi_cloud.testing.fuzz.targets import FAKE_SCOPE, Target
from multi_cloud.testing.fuzz.wire import RawRequest, build, exchange

pytest.importorskip("boto3")


def crashing_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    kind = environ["PATH_INFO"].strip("/")
    if kind == "html":
        start_response("404 NOT FOUND", [("Content-Type", "text/html")])
        return [b"<!doctype html><html><title>404 Not Found</title></html>"]
    if kind == "empty":
        start_response("404 NOT FOUND", [])
        return [b""]
    exceptions = {
        "key": KeyError("Name"),
        "json": ValueError("x"),
        "boom": RuntimeError("boom"),
        "todo": NotImplementedError(),
    }
    if kind == "json":
        import json

        json.loads("{")
    raise exceptions[kind]


@pytest.fixture
def crashing() -> Iterator[ThreadedWSGIServer]:
    server = ThreadedWSGIServer(ErrorFilter(crashing_app, aws_wire, who="the app"))
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/html", 404, "UnknownOperationException"),
        ("/empty", 404, "UnknownOperationException"),
        ("/key", 400, "ValidationException"),
        ("/json", 400, "SerializationException"),
        ("/todo", 501, "NotImplemented"),
        ("/boom", 500, "InternalFailure"),
    ],
)
def test_failures_become_aws_errors(crashing: ThreadedWSGIServer, path: str, status: int, code: str) -> None:
    headers = {"Host": "127.0.0.1", "X-Amz-Target": "Svc.Op", "Content-Type": "application/x-amz-json-1.1"}
    answer = exchange("127.0.0.1", crashing.port, RawRequest(build("POST", path, headers, b"{}")))
    assert (answer.status, aws_error_code(answer, "json")) == (status, code)


@pytest.mark.parametrize(
    ("signing", "protocol", "code"),
    [
        ("s3", "rest-xml", "InternalError"),
        ("iam", "query", "InternalFailure"),
        ("lambda", "rest-json", "InternalFailure"),
    ],
)
def test_the_error_speaks_the_request_protocol(
    crashing: ThreadedWSGIServer, signing: str, protocol: str, code: str
) -> None:
    scope = "AWS4-HMAC-SHA256 " + FAKE_SCOPE.format(service=signing)
    answer = exchange(
        "127.0.0.1",
        crashing.port,
        RawRequest(build("GET", "/boom", {"Host": "127.0.0.1", "Authorization": scope})),
    )
    assert aws_error_code(answer, protocol) == code


def raw(target: Target, body: bytes, **headers: str) -> tuple[int, str]:
    answer = exchange(
        target.host, target.port, RawRequest(build("POST", "/", target.headers(**headers), body))
    )
    return answer.status, aws_error_code(answer, "json")


def test_moto_answers_bad_json_unknown_targets_and_wrong_types_with_4xx(moto: Target) -> None:
    assert raw(moto, b'{"MaxResults": ') == (400, "SerializationException")
    assert raw(moto, b"[" * 50_000 + b"]" * 50_000) == (400, "SerializationException")
    assert raw(moto, b"{}", X_Amz_Target="SageMaker.NoSuchOperation") == (400, "UnknownOperationException")
    assert raw(moto, b'"not an object"') == (400, "SerializationException")


def test_moto_api_still_works(moto: Target, aws: Any) -> None:
    from multi_cloud.testing.fuzz.wire import Answer

    aws("s3").create_bucket(Bucket="before-reset")
    reset: Answer = exchange(
        moto.host, moto.port, RawRequest(build("POST", "/moto-api/reset", {"Host": moto.host_header}))
    )
    assert reset.status == 200
    assert aws("s3").list_buckets()["Buckets"] == []


def test_lambda_handlers_find_moto(moto: Target) -> None:
    from multi_cloud.emulation.http import running

    assert running.url_of("moto") == moto.url


def test_gzipped_json_bodies_reach_the_service(moto: Target, aws: Any) -> None:
    """botocore compresses large CloudWatch bodies (Content-Encoding: gzip): not a malformed JSON body."""
    cloudwatch = aws("cloudwatch")
    data = [
        {"MetricName": f"m{i}", "Value": 1.0, "Dimensions": [{"Name": "Endpoint", "Value": "e" * 50}]}
        for i in range(500)
    ]
    cloudwatch.put_metric_data(Namespace="cloudai-test", MetricData=data)
    pages = cloudwatch.get_paginator("list_metrics").paginate(Namespace="cloudai-test")
    assert sum(len(page["Metrics"]) for page in pages) == 500
