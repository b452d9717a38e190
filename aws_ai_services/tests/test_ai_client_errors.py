"""Issue 8's learner-sendable bad inputs get a 4xx with the service's own code, over the wire, never a 500."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError
from multi_cloud.testing.conformance import media


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 130, 140)).save(buffer, format="PNG")
    return buffer.getvalue()


def _error(call, **arguments) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def _raw(url: str, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST a raw JSON-protocol request (no SDK between the test and the emulator)."""
    request = urllib.request.Request(
        url, data=body, headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as answer:
        return answer.code, json.loads(answer.read())


@pytest.fixture
def rekognition(ai_cloud):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("rekognition")


def test_a_strip_longer_than_10000_px_is_image_too_large(rekognition) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(rekognition.detect_faces, Image={"Bytes": _png(1, 20000)})
    assert (code, status) == ("ImageTooLargeException", 400)
    assert message == "Input image dimensions 1 x 20000 exceed maximum dimension size of 10000 pixels"


def test_a_one_pixel_strip_within_limits_has_no_faces(rekognition) -> None:  # type: ignore[no-untyped-def]
    assert rekognition.detect_faces(Image={"Bytes": _png(1, 9000)})["FaceDetails"] == []
    assert rekognition.detect_faces(Image={"Bytes": _png(9000, 1)})["FaceDetails"] == []


def test_a_bucket_name_with_a_space_fails_the_model_check(rekognition) -> None:  # type: ignore[no-untyped-def]
    image = {"S3Object": {"Bucket": "my bucket", "Name": "face.jpg"}}
    code, status, message = _error(rekognition.detect_faces, Image=image)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'my bucket' at 'image.s3Object.bucket'")
    assert "Member must satisfy regular expression pattern" in message


def test_an_s3_object_without_a_bucket_is_invalid_s3_object(rekognition) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(rekognition.detect_labels, Image={"S3Object": {"Name": "face.jpg"}})
    assert (code, status) == ("InvalidS3ObjectException", 400)
    assert message.startswith("Unable to get object metadata from S3")


def test_raw_wrong_type_and_missing_member_are_4xx(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    url = ai_cloud.url
    status, body = _raw(f"{url}/rekognition/", "RekognitionService.DetectFaces", b'{"Image": 5}')
    assert (status, body["__type"]) == (400, "SerializationException")
    assert body["message"] == "NUMBER_VALUE can not be converted to a structure (at 'image')"
    status, body = _raw(
        f"{url}/comprehend/", "Comprehend_20171127.DetectSentiment", b'{"LanguageCode": "en"}'
    )
    assert (status, body["__type"]) == (400, "ValidationException")
    assert "Value null at 'text' failed to satisfy constraint: Member must not be null" in body["message"]


def test_raw_huge_number_is_a_validation_error(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    request = json.dumps({"Image": {"Bytes": ""}, "MaxLabels": 10**30, "MinConfidence": 1e300}).encode()
    status, body = _raw(f"{ai_cloud.url}/rekognition/", "RekognitionService.DetectLabels", request)
    assert (status, body["__type"]) == (400, "ValidationException")
    assert (
        "at 'minConfidence' failed to satisfy constraint: Member must have value less than" in body["message"]
    )


def test_comprehend_text_with_a_lone_surrogate_is_invalid_request(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    body = b'{"Text": "good \\ud800 day", "LanguageCode": "en"}'
    for target in ("DetectSentiment", "DetectDominantLanguage", "DetectKeyPhrases"):
        status, answer = _raw(f"{ai_cloud.url}/comprehend/", f"Comprehend_20171127.{target}", body)
        assert (status, answer["__type"]) == (400, "InvalidRequestException"), target
        assert "lone surrogate" in answer["Message"] and answer["Reason"] == "INVALID_DOCUMENT"


def test_valid_calls_still_work_after_the_bad_ones(rekognition) -> None:  # type: ignore[no-untyped-def]
    assert len(rekognition.detect_faces(Image={"Bytes": media.portrait_jpeg()})["FaceDetails"]) == 1


def test_a_corrupt_pickle_in_the_artifact_is_never_a_500(ai_cloud, boto_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Plain boto3: an endpoint whose model.joblib is not a pickle fails, and invoking it is a 4xx."""
    from multi_cloud.emulation.jobs.archives import pack_model_dir

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.joblib").write_bytes(b"\x80\x04\x95 this is not a pickle")
    sagemaker, s3 = boto_client("sagemaker"), boto_client("s3")
    s3.create_bucket(Bucket="pickles")
    s3.put_object(Bucket="pickles", Key="bad/model.tar.gz", Body=pack_model_dir(tmp_path / "model"))
    sagemaker.create_model(
        ModelName="bad-pickle",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "sklearn", "ModelDataUrl": "s3://pickles/bad/model.tar.gz"},
    )
    variant = {"VariantName": "AllTraffic", "ModelName": "bad-pickle", "InstanceType": "ml.m5.large"}
    sagemaker.create_endpoint_config(EndpointConfigName="bad-pickle", ProductionVariants=[variant])
    sagemaker.create_endpoint(EndpointName="bad-pickle", EndpointConfigName="bad-pickle")
    runtime = boto_client("sagemaker-runtime")
    code, status, message = _error(
        runtime.invoke_endpoint, EndpointName="bad-pickle", Body=b"1,2,3,4", ContentType="text/csv"
    )
    # as on AWS: the container fails its ping check, the endpoint is Failed, invoking it a ValidationError
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("Endpoint bad-pickle of account 123456789012 is Failed")
    described = sagemaker.describe_endpoint(EndpointName="bad-pickle")
    assert described["EndpointStatus"] == "Failed"
    assert "ping health check" in described["FailureReason"]
    assert "s3://pickles/bad/model.tar.gz could not be loaded" in described["FailureReason"]
