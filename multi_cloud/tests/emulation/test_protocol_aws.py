"""protocols/aws over the wire: botocore parses its JSON and REST-JSON errors and model validation answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from multi_cloud.core.errors import NotFound
from multi_cloud.emulation.http.wsgi_app import EmulatorApp
from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer
from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, RequestContext
from multi_cloud.emulation.protocols.aws.routing import (
    AwsResponder,
    AwsService,
    crashed_answer,
    service_model,
    unmatched_answer,
)
from multi_cloud.emulation.protocols.aws.validation import validate_input

LANGUAGES = "[en, es, fr, de, it, pt, ar, hi, ja, ko, zh, zh-TW]"


class TinyComprehend(AwsResponder):
    """JSON 1.1: an error modelled by the service, and model validation before the handler."""

    service_name = "comprehend"
    validate_input = True

    def detect_dominant_language(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        if len(params["Text"]) > 20:
            raise AwsError("TextSizeLimitExceededException", "Input text size exceeds limit of 20 bytes.")
        return {"Languages": [{"LanguageCode": "en", "Score": 1.0}]}

    def detect_sentiment(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        return {"Sentiment": "NEUTRAL"}


class TinyRuntime(AwsResponder):
    """REST-JSON: a 424 with extra members, and an engine's NotFound mapped to the service's code."""

    service_name = "sagemaker-runtime"
    error_codes: ClassVar[ErrorCodes] = ErrorCodes(invalid="ValidationError", not_found="ValidationError")
    validate_input = True

    def invoke_endpoint(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        if params["EndpointName"] == "missing":
            raise NotFound("Endpoint missing of account 123456789012 not found.")
        raise AwsError(
            "ModelError",
            'Received client error (400) from primary with message "bad row".',
            fields={"OriginalStatusCode": 400, "OriginalMessage": "bad row"},
        )


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedWSGIServer]:
    app = EmulatorApp(
        mounts={"/comprehend": [AwsService(TinyComprehend())], "/runtime": [AwsService(TinyRuntime())]},
        unmatched=unmatched_answer({"comprehend": "/comprehend", "sagemaker-runtime": "/runtime"}),
        crashed=crashed_answer,
    )
    running = ThreadedWSGIServer(app)
    running.start()
    yield running
    running.stop()


def _client(server: ThreadedWSGIServer, service: str, prefix: str, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=server.url + prefix,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - a fake credential for a loopback server
        config=Config(retries={"max_attempts": 1}, **config),
    )


def _error(call: Any, **arguments: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        call(**arguments)
    return caught.value.response


def test_json_protocol_error_is_the_modelled_exception(server: ThreadedWSGIServer) -> None:
    comprehend = _client(server, "comprehend", "/comprehend")
    with pytest.raises(comprehend.exceptions.TextSizeLimitExceededException) as caught:
        comprehend.detect_dominant_language(Text="x" * 21)
    error = caught.value.response
    assert error["Error"]["Message"] == "Input text size exceeds limit of 20 bytes."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rest_json_error_keeps_status_and_extra_members(server: ThreadedWSGIServer) -> None:
    runtime = _client(server, "sagemaker-runtime", "/runtime")
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        runtime.invoke_endpoint(EndpointName="iris", Body=b"1,2", ContentType="text/csv")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 424  # from the service model's ModelError shape
    assert (error["OriginalStatusCode"], error["OriginalMessage"]) == (400, "bad row")
    assert error["Error"]["Message"].startswith("Received client error (400)")
    missing = _error(runtime.invoke_endpoint, EndpointName="missing", Body=b"1", ContentType="text/csv")
    assert missing["Error"] == {
        "Code": "ValidationError",
        "Message": "Endpoint missing of account 123456789012 not found.",
    }


def test_enum_outside_the_model_is_a_validation_exception_worded_as_aws(server: ThreadedWSGIServer) -> None:
    comprehend = _client(server, "comprehend", "/comprehend")  # botocore does not check enums itself
    error = _error(comprehend.detect_sentiment, Text="hello", LanguageCode="xx")
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "1 validation error detected: Value 'xx' at 'languageCode' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {LANGUAGES}"
    )


def test_several_errors_are_counted_and_joined(server: ThreadedWSGIServer) -> None:
    comprehend = _client(server, "comprehend", "/comprehend", parameter_validation=False)
    error = _error(comprehend.detect_sentiment, Text="", LanguageCode="xx")
    assert error["Error"]["Message"] == (
        "2 validation errors detected: Value '' at 'text' failed to satisfy constraint: Member must have "
        "length greater than or equal to 1; Value 'xx' at 'languageCode' failed to satisfy constraint: "
        f"Member must satisfy enum value set: {LANGUAGES}"
    )
    missing = _error(comprehend.detect_sentiment, LanguageCode="en")
    assert missing["Error"]["Message"] == (
        "1 validation error detected: Value null at 'text' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_wrong_json_type_is_a_serialization_exception(server: ThreadedWSGIServer) -> None:
    comprehend = _client(server, "comprehend", "/comprehend", parameter_validation=False)
    error = _error(comprehend.detect_sentiment, Text=["a"], LanguageCode="en")
    assert error["Error"]["Code"] == "SerializationException"
    assert error["Error"]["Message"] == "Start of list can not be converted to a String (at 'text')"


def test_rest_json_pattern_uses_the_services_validation_code(server: ThreadedWSGIServer) -> None:
    runtime = _client(server, "sagemaker-runtime", "/runtime")
    error = _error(runtime.invoke_endpoint, EndpointName="bad_name", Body=b"1", ContentType="text/csv")
    assert error["Error"]["Code"] == "ValidationError"  # SageMaker Runtime's model spells it so
    assert error["Error"]["Message"] == (
        "1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*"
    )


def test_list_items_numbers_and_long_values_in_messages() -> None:
    operation = service_model("sagemaker").operation_model("CreateEndpointConfig")
    variant = {
        "VariantName": "A",
        "ModelName": "m",
        "ServerlessConfig": {"MemorySizeInMB": 9000, "MaxConcurrency": 1},
    }
    with pytest.raises(AwsError) as caught:
        validate_input(operation, {"EndpointConfigName": "c" * 300, "ProductionVariants": [variant]})
    assert caught.value.code == "ValidationException"
    problems = caught.value.message.split("; ")
    assert problems[0].startswith(
        "3 validation errors detected: Value '" + "c" * 256 + "...' at 'endpointConfigName'"
    )
    assert problems[1].endswith(
        "Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
    )
    assert problems[2] == (
        "Value '9000' at 'productionVariants.1.member.serverlessConfig.memorySizeInMB' failed to satisfy "
        "constraint: Member must have value less than or equal to 6144"
    )
