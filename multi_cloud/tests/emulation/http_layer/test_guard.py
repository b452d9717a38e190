"""Web pages cannot drive the local cloud: the drive-by reproducer of issue 8, over the wire."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from multi_cloud.testing.fuzz.targets import Target
from multi_cloud.testing.fuzz.wire import RawRequest, build, exchange

pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402

EVIL = "http://evil.example"
TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'ran': True}\n")
    return buffer.getvalue()


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return str(caught.value.response["Error"]["Code"])


def test_the_drive_by_reproducer_is_refused_and_changes_nothing(aws: Any, from_web_page: Any) -> None:
    iam, lam = from_web_page(aws("iam"), Origin=EVIL), from_web_page(aws("lambda"), Origin=EVIL)
    assert (
        refused(lambda: iam.create_role(RoleName="drive-by", AssumeRolePolicyDocument=TRUST_POLICY))
        == "AccessDenied"
    )
    role = "arn:aws:iam::123456789012:role/drive-by"
    create = lambda: lam.create_function(  # noqa: E731
        FunctionName="drive-by",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": handler_zip()},
    )
    assert refused(create) == "AccessDeniedException"
    assert refused(lambda: lam.invoke(FunctionName="drive-by", Payload=b"{}")) == "AccessDeniedException"

    assert [r["RoleName"] for r in aws("iam").list_roles()["Roles"]] == []
    assert aws("lambda").list_functions()["Functions"] == []


def test_an_existing_function_cannot_be_invoked_from_a_web_page(aws: Any, from_web_page: Any) -> None:
    role = aws("iam").create_role(RoleName="fn", AssumeRolePolicyDocument=TRUST_POLICY)["Role"]["Arn"]
    aws("lambda").create_function(
        FunctionName="mine",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": handler_zip()},
    )
    lam = from_web_page(aws("lambda"), Sec_Fetch_Site="cross-site")
    assert refused(lambda: lam.invoke(FunctionName="mine", Payload=b"{}")) == "AccessDeniedException"
    answer = aws("lambda").invoke(FunctionName="mine", Payload=b"{}")  # the learner's own call still works
    assert json.loads(answer["Payload"].read()) == {"ran": True}


@pytest.mark.parametrize("service", ["s3", "sagemaker", "rekognition"])
def test_dns_rebinding_is_refused_on_every_server(aws: Any, from_web_page: Any, service: str) -> None:
    client = from_web_page(aws(service), Host="rebind.evil.example")
    call = {
        "s3": lambda: client.list_buckets(),
        "sagemaker": lambda: client.list_models(),
        "rekognition": lambda: client.detect_labels(Image={"Bytes": b"x"}),
    }[service]
    assert refused(call) in ("AccessDenied", "AccessDeniedException")


def test_boto3_is_unaffected(aws: Any) -> None:
    aws("s3").create_bucket(Bucket="plain-boto3")
    aws("s3").put_object(
        Bucket="plain-boto3", Key="a b/c%2Fd.txt", Body=b"hi", Metadata={"model_version": "3"}
    )
    head = aws("s3").head_object(Bucket="plain-boto3", Key="a b/c%2Fd.txt")
    assert head["Metadata"] == {"model_version": "3"}  # underscore names and lower case, as S3 answers
    assert [o["Key"] for o in aws("s3").list_objects_v2(Bucket="plain-boto3")["Contents"]] == [
        "a b/c%2Fd.txt"
    ]
    languages = aws("comprehend").detect_dominant_language(Text="The learner's own program is welcome here.")
    assert languages["Languages"][0]["LanguageCode"] == "en"


def test_no_permissive_cors(moto: Target, aws_ai: Target) -> None:
    for target in (moto, aws_ai):
        preflight = build(
            "OPTIONS",
            target.path,
            [("Host", target.host_header), ("Origin", EVIL), ("Access-Control-Request-Method", "POST")],
        )
        answer = exchange(target.host, target.port, RawRequest(preflight))
        assert answer.status == 403
        assert not [h for h in answer.headers if h.startswith("access-control-")]
        plain = exchange(target.host, target.port, target.valid_request())
        assert plain.status == 200
        assert not [h for h in plain.headers if h.startswith("access-control-")]


def test_a_loopback_page_keeps_working(moto: Target) -> None:
    request = RawRequest(build("POST", moto.path, moto.headers(Origin="http://localhost:8888"), moto.body))
    assert exchange(moto.host, moto.port, request).status == 200
