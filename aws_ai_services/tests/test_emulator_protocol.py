"""The AWS AI emulator's wire behaviour: routing, error shapes botocore parses, never a dropped connection."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.app import SERVICES
from aws_ai_services.emulator.control_plane import _in_process_moto
from botocore.exceptions import ClientError
from multi_cloud.core.errors import Unsupported
from multi_cloud.emulation.http.wsgi_app import EmulatorApp, Incoming
from multi_cloud.emulation.protocols.aws.codec import from_wire
from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, error_response
from multi_cloud.emulation.protocols.aws.routing import (
    AwsResponder,
    AwsService,
    compile_route,
    crashed_answer,
    service_model,
    unmatched_answer,
)
from multi_cloud.testing.conformance import media


def _raw(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str = "POST"):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as answer:  # an answer, not a dropped connection
        return answer.code, dict(answer.headers), answer.read()


def test_endpoint_variables_are_the_ones_botocore_reads(ai_emulator) -> None:  # type: ignore[no-untyped-def]
    for service, (prefix, variable) in SERVICES.items():
        service_id = service_model(service).service_id
        assert variable == "AWS_ENDPOINT_URL_" + str(service_id).replace(" ", "_").upper()
        assert ai_emulator.env()[variable] == ai_emulator.url + prefix


def test_boto3_clients_resolve_to_the_emulator(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    for service, (prefix, _variable) in SERVICES.items():
        assert boto3.client(service).meta.endpoint_url == ai_cloud.url + prefix


def test_an_operation_the_emulator_lacks_is_501_naming_it(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    with pytest.raises(ClientError) as caught:
        boto3.client("rekognition").recognize_celebrities(Image={"Bytes": media.portrait_jpeg()})
    error = caught.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RetryAttempts"] == 0  # botocore does not retry a 501
    assert "RecognizeCelebrities" in error["Error"]["Message"] and "DetectFaces" in error["Error"]["Message"]


def test_rest_operations_the_emulator_lacks_are_501_too(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    import boto3

    with pytest.raises(ClientError) as caught:
        boto3.client("polly").list_lexicons()
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert "ListLexicons" in caught.value.response["Error"]["Message"]


def test_a_target_no_aws_service_has_is_unknown_operation(ai_emulator) -> None:  # type: ignore[no-untyped-def]
    status, headers, body = _raw(
        ai_emulator.url + "/rekognition/",
        data=b"{}",
        headers={
            "X-Amz-Target": "RekognitionService.MakeCoffee",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert status == 400 and headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert "MakeCoffee" in json.loads(body)["message"]


def test_unknown_routes_get_an_error_body_not_a_dropped_connection(ai_emulator) -> None:  # type: ignore[no-untyped-def]
    for path, method in (("/", "GET"), ("/no/such/thing", "POST"), ("/polly/v2/speech", "POST")):
        status, headers, body = _raw(
            ai_emulator.url + path, data=b"" if method == "POST" else None, method=method
        )
        answer = json.loads(body)
        assert status == 404 and answer["__type"] == "UnknownOperationException"
        assert "rekognition at /rekognition" in answer["message"]
    assert ai_emulator.healthy()


def test_malformed_json_is_a_serialization_error(ai_emulator) -> None:  # type: ignore[no-untyped-def]
    status, _headers, body = _raw(
        ai_emulator.url + "/comprehend/",
        data=b"{not json",
        headers={"X-Amz-Target": "Comprehend_20171127.DetectSentiment"},
    )
    assert status == 400 and json.loads(body)["__type"] == "SerializationException"


def test_services_also_answer_at_the_root(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    """Clients pointed at the bare server URL are dispatched by target header, path and signing name."""
    import boto3

    root = ai_cloud.url
    faces = boto3.client("rekognition", endpoint_url=root).detect_faces(
        Image={"Bytes": media.portrait_jpeg()}
    )
    assert len(faces["FaceDetails"]) == 1
    sentiment = boto3.client("comprehend", endpoint_url=root).detect_sentiment(
        Text="Great!", LanguageCode="en"
    )
    assert sentiment["Sentiment"] == "POSITIVE"
    bots = boto3.client("lexv2-models", endpoint_url=root).list_bots()["botSummaries"]
    assert bots == []
    with pytest.raises(ClientError) as caught:
        boto3.client("lexv2-runtime", endpoint_url=root).recognize_text(
            botId="NOBOT12345", botAliasId="TSTALIASID", localeId="en_US", sessionId="s1", text="hi"
        )
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_not_implemented_maps_to_unsupported_in_the_provider(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unsupported):
        AWSProvider().language.entities("Grace Hopper")


def test_the_emulator_finds_moto_in_this_process(local_cloud) -> None:  # type: ignore[no-untyped-def]
    moto = next(backend for backend in local_cloud.backends if backend.name == "moto")
    assert _in_process_moto() == moto.url


# ----------------------------------------------------------------------------- shared building blocks
def test_route_templates_match_labels_greedy_labels_and_query_constraints() -> None:
    route = compile_route("InvokeEndpoint", "POST", "/endpoints/{EndpointName}/invocations")
    match = route.pattern.match("/endpoints/my-model/invocations")
    assert match and {label: match.group(g) for g, label in route.labels.items()} == {
        "EndpointName": "my-model"
    }
    assert not route.pattern.match("/endpoints/a/b/invocations")
    greedy = compile_route("GetObject", "GET", "/{Bucket}/{Key+}?acl")
    assert greedy.pattern.match("/bucket/deep/path/file.txt") and greedy.required_query == ("acl",)
    assert compile_route("ListBots", "POST", "/bots/").pattern.match("/bots")


def test_blobs_and_timestamps_are_decoded_per_shape() -> None:
    shape = service_model("rekognition").operation_model("DetectFaces").input_shape
    decoded = from_wire(shape, {"Image": {"Bytes": "aGVsbG8="}, "Attributes": ["ALL"], "Unknown": 1})
    assert decoded == {"Image": {"Bytes": b"hello"}, "Attributes": ["ALL"]}
    with pytest.raises(AwsError):
        from_wire(shape, {"Image": {"Bytes": "not base64!"}})


def test_a_crashing_service_answers_500_with_the_reason() -> None:
    from werkzeug.test import Client

    class Exploding:
        def claims(self, incoming: Incoming) -> bool:
            return True

        def handle(self, incoming: Incoming):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk on fire")

    app = EmulatorApp(services=[Exploding()], unmatched=unmatched_answer({}), crashed=crashed_answer)
    response = Client(app).post("/anything")
    assert response.status_code == 500
    assert response.headers["x-amzn-ErrorType"] == "InternalFailure"
    assert "disk on fire" in json.loads(response.data)["message"]


def test_error_status_and_message_key_come_from_the_service_model() -> None:
    comprehend = service_model("comprehend")
    answer = error_response(AwsError("TextSizeLimitExceededException", "too long"), service_model=comprehend)
    assert answer.status_code == 400 and json.loads(answer.data) == {
        "__type": "TextSizeLimitExceededException",
        "Message": "too long",
    }
    runtime = service_model("sagemaker-runtime")
    assert error_response(AwsError("ModelError", "boom"), service_model=runtime).status_code == 424
    assert error_response(AwsError("NotImplemented", "later")).status_code == 501


@pytest.mark.parametrize(
    ("raised", "status", "code", "said"),
    [
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), 400, "Nope", "invalid text"),
        (RuntimeError("disk on fire"), 500, "InternalFailure", "RuntimeError: disk on fire"),
    ],
)
def test_handler_exceptions_are_mapped_or_internal_never_dropped(
    raised: Exception, status: int, code: str, said: str
) -> None:
    from werkzeug.test import Client

    class Raising(AwsResponder):
        service_name = "comprehend"
        validate_input = True
        error_codes = ErrorCodes(invalid="Nope")

        def detect_dominant_language(self, params, context):  # type: ignore[no-untyped-def]
            raise raised

    service = AwsService(Raising())
    app = EmulatorApp(services=[service], unmatched=unmatched_answer({}), crashed=crashed_answer)
    target = {"X-Amz-Target": "Comprehend_20171127.DetectDominantLanguage"}
    response = Client(app).post("/", data=b'{"Text": "hello"}', headers=target)
    assert (response.status_code, response.headers["x-amzn-ErrorType"]) == (status, code)
    assert said in response.get_data(as_text=True)
    refused = Client(app).post("/", data=b'{"Text": ""}', headers=target)  # the model check runs first
    assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (400, "ValidationException")
