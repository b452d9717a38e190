"""Cloud Vision over the wire with the plain ImageAnnotatorClient, and the vision conformance suite."""

from __future__ import annotations

from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from google.api_core import exceptions as gx
from google.cloud import vision
from multi_cloud.testing.conformance import media
from multi_cloud.testing.conformance.vision import VisionConformance

from .conftest import status_of

Feature = vision.Feature.Type


class TestCloudVisionConformance(VisionConformance):
    """The portable vision contract, through CloudVision and the emulator."""


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return vision.ImageAnnotatorClient(**endpoint)


def _request(image: bytes, *features: Any, max_results: int = 10) -> dict[str, Any]:
    return {
        "image": {"content": image},
        "features": [{"type_": feature, "max_results": max_results} for feature in features],
    }


def test_faces_labels_and_colours_in_one_request(client: Any) -> None:
    portrait = media.portrait_jpeg()
    response = client.annotate_image(
        _request(
            portrait, Feature.FACE_DETECTION, Feature.LABEL_DETECTION, Feature.IMAGE_PROPERTIES, max_results=3
        )
    )
    assert response.error.code == 0
    (face,) = response.face_annotations
    xs = [v.x for v in face.bounding_poly.vertices]
    assert 512 * 0.2 < min(xs) < max(xs) < 512 * 0.9  # pixels of the 512-wide portrait
    assert 0.5 < face.detection_confidence <= 1
    assert {lm.type_ for lm in face.landmarks} <= {
        vision.FaceAnnotation.Landmark.Type.LEFT_EYE,
        vision.FaceAnnotation.Landmark.Type.RIGHT_EYE,
    }
    assert face.joy_likelihood == vision.Likelihood.UNKNOWN  # no emotion model offline: Vision's "unknown"
    assert 1 <= len(response.label_annotations) <= 3
    assert all(0 < label.score <= 1 and label.description for label in response.label_annotations)
    colours = response.image_properties_annotation.dominant_colors.colors
    assert abs(sum(c.pixel_fraction for c in colours) - 1) < 0.02


def test_the_helper_methods_send_the_feature_they_name(client: Any) -> None:
    blocks = media.colour_blocks_png([((230, 20, 20), 0.75), ((20, 40, 220), 0.25)])
    assert client.face_detection(image={"content": blocks}).face_annotations == []
    colours = client.image_properties(image={"content": blocks}).image_properties_annotation.dominant_colors
    top = max(colours.colors, key=lambda c: c.pixel_fraction)
    assert top.color.red > 180 and abs(top.pixel_fraction - 0.75) < 0.05


def test_text_detection_reads_lines_with_pixel_boxes(client: Any) -> None:
    image = media.text_png(["HELLO CLOUD WORLD"])
    response = client.text_detection(image={"content": image})
    assert "HELLO CLOUD WORLD" in response.text_annotations[0].description.upper()
    words = [a.description.upper() for a in response.text_annotations[1:]]
    assert {"HELLO", "CLOUD", "WORLD"} <= set(words)
    assert response.full_text_annotation.pages[0].width == 800


def test_a_bad_image_is_that_images_error_not_the_batchs(client: Any) -> None:
    good = _request(media.portrait_jpeg(), Feature.FACE_DETECTION)
    bad = _request(media.PDF_BYTES, Feature.FACE_DETECTION)
    response = client.batch_annotate_images(requests=[good, bad])
    assert response.responses[0].error.code == 0 and len(response.responses[0].face_annotations) == 1
    assert response.responses[1].error.code == 3  # INVALID_ARGUMENT
    assert "Bad image data" in response.responses[1].error.message
    assert "PDF" in response.responses[1].error.message


def test_features_no_offline_engine_computes_are_unimplemented_with_the_reason(client: Any) -> None:
    response = client.annotate_image(_request(media.portrait_jpeg(), Feature.OBJECT_LOCALIZATION))
    assert response.error.code == 12  # UNIMPLEMENTED
    assert "OBJECT_LOCALIZATION" in response.error.message and "object detector" in response.error.message
    assert not response.localized_object_annotations


def _by_uri(uri: str) -> dict[str, Any]:
    return {"image": {"source": {"gcs_image_uri": uri}}, "features": [{"type_": Feature.FACE_DETECTION}]}


def test_images_in_cloud_storage_are_read_by_vision_itself(client: Any) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    bucket = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).create_bucket(
        "photos"
    )
    bucket.blob("people/grace.jpg").upload_from_string(media.portrait_jpeg(), content_type="image/jpeg")
    found = client.annotate_image(_by_uri("gs://photos/people/grace.jpg"))
    assert found.error.code == 0 and len(found.face_annotations) == 1
    missing = client.annotate_image(_by_uri("gs://photos/people/nobody.jpg"))
    assert missing.error.code == 5 and "gs://photos/people/nobody.jpg" in missing.error.message  # NOT_FOUND
    web = {"image": {"source": {"image_uri": "https://example.com/cat.jpg"}}, "features": [{"type_": 4}]}
    assert client.annotate_image(web).error.code == 12  # the offline local cloud fetches nothing from the web


def test_without_local_cloud_storage_a_gs_image_is_failed_precondition(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from multi_cloud.emulation.http import running

    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    monkeypatch.setattr(running, "_urls", {})
    response = client.annotate_image(_by_uri("gs://photos/a.jpg"))
    assert response.error.code == 9 and "cloudai local up" in response.error.message  # FAILED_PRECONDITION


def test_a_malformed_batch_is_invalid_argument(client: Any) -> None:
    with pytest.raises(gx.BadRequest) as caught:
        client.batch_annotate_images(requests=[_request(media.portrait_jpeg(), Feature.FACE_DETECTION)] * 17)
    assert status_of(caught.value) == "INVALID_ARGUMENT" and "Too many images" in caught.value.message
    with pytest.raises(gx.BadRequest):
        client.batch_annotate_images(requests=[{"image": {"content": b"x"}}])  # no features


def test_the_per_minute_quota_is_resource_exhausted(client: Any, emulator: Any) -> None:
    emulator.state.quotas.set_limit("vision.googleapis.com", 1)
    blocks = media.colour_blocks_png([((20, 40, 220), 1.0)])
    client.image_properties(image={"content": blocks})
    with pytest.raises(gx.TooManyRequests) as caught:
        client.image_properties(image={"content": blocks})
    assert status_of(caught.value) == "RESOURCE_EXHAUSTED" and "Requests per minute" in caught.value.message


def test_provider_errors_keep_googles_status(provider: GCPProvider) -> None:
    from multi_cloud.core.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as caught:
        provider.vision.detect_faces(b"just words")
    assert caught.value.code == "INVALID_ARGUMENT" and caught.value.provider == "gcp"
