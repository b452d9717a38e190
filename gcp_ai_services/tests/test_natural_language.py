"""Natural Language over the wire with the plain LanguageServiceClient, and the language conformance suite."""

from __future__ import annotations

from typing import Any

import pytest
from gcp_ai_services.ai_apis.natural_language_api import label_scores
from gcp_ai_services.client import GCPProvider
from google.api_core import exceptions as gx
from google.cloud import language_v1
from multi_cloud.core.errors import Unsupported
from multi_cloud.testing.conformance.language import LanguageConformance

from .conftest import status_of


class TestCloudNaturalLanguageConformance(LanguageConformance):
    """The portable language contract, through CloudNaturalLanguage and the emulator."""


@pytest.fixture
def client(endpoint: dict[str, Any]) -> Any:
    return language_v1.LanguageServiceClient(**endpoint)


def _document(text: str, **extra: Any) -> dict[str, Any]:
    return {"content": text, "type_": language_v1.Document.Type.PLAIN_TEXT, **extra}


def test_sentiment_per_sentence_with_offsets_in_the_requested_encoding(client: Any) -> None:
    text = "Café service was dreadful. The dessert, however, was wonderful!"
    utf8 = client.analyze_sentiment(document=_document(text), encoding_type=language_v1.EncodingType.UTF8)
    utf32 = client.analyze_sentiment(document=_document(text), encoding_type=language_v1.EncodingType.UTF32)
    first, second = utf32.sentences
    assert first.sentiment.score < 0 < second.sentiment.score
    assert text[second.text.begin_offset :].startswith("The dessert")
    assert utf8.sentences[1].text.begin_offset == len(text[: second.text.begin_offset].encode("utf-8"))
    assert utf32.language == "en"
    assert utf32.document_sentiment.magnitude == pytest.approx(
        sum(s.sentiment.magnitude for s in utf32.sentences), abs=1e-3
    )
    no_offsets = client.analyze_sentiment(document=_document(text))
    assert no_offsets.sentences[0].text.begin_offset == -1  # encodingType NONE, as Google answers


def test_languages_google_lacks_are_invalid_and_those_vader_lacks_unimplemented(client: Any) -> None:
    with pytest.raises(gx.BadRequest) as caught:
        client.analyze_sentiment(document=_document("Bonjour", language="zz"))
    assert status_of(caught.value) == "INVALID_ARGUMENT" and "zz" in caught.value.message
    with pytest.raises(gx.MethodNotImplemented) as unimplemented:
        client.analyze_sentiment(document=_document("Le service était excellent.", language="fr"))
    assert status_of(unimplemented.value) == "UNIMPLEMENTED" and "VADER" in unimplemented.value.message


def test_methods_without_an_offline_engine_are_unimplemented_with_the_reason(client: Any) -> None:
    for call in (client.analyze_entities, client.classify_text, client.analyze_syntax, client.moderate_text):
        with pytest.raises(gx.MethodNotImplemented) as caught:
            call(document=_document("Grace Hopper worked for the United States Navy."))
        assert status_of(caught.value) == "UNIMPLEMENTED" and "offline" in caught.value.message


def test_an_empty_document_is_invalid_argument(client: Any) -> None:
    with pytest.raises(gx.BadRequest) as caught:
        client.analyze_sentiment(document=_document("   "))
    assert status_of(caught.value) == "INVALID_ARGUMENT"


def test_the_portable_scores_follow_score_and_magnitude() -> None:
    assert max(label_scores(0.9, 0.9, 1).items(), key=lambda kv: kv[1])[0] == "POSITIVE"
    assert max(label_scores(-0.8, 1.6, 2).items(), key=lambda kv: kv[1])[0] == "NEGATIVE"
    assert max(label_scores(0.0, 0.0, 1).items(), key=lambda kv: kv[1])[0] == "NEUTRAL"
    assert max(label_scores(0.05, 1.8, 2).items(), key=lambda kv: kv[1])[0] == "MIXED"
    assert sum(label_scores(0.3, 0.7, 2).values()) == pytest.approx(1)


def test_entities_key_phrases_and_pii_are_declared_with_reasons(provider: GCPProvider) -> None:
    for operation in ("entities", "key_phrases", "pii"):
        assert not provider.language.supports(operation)
        with pytest.raises(Unsupported) as caught:
            getattr(provider.language, operation)("Grace Hopper")
        assert str(caught.value.message) == provider.language.unsupported[f"language.{operation}"]


def test_documents_in_cloud_storage_are_read_by_the_api(client: Any) -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    bucket = storage.Client(project="cloudai-local", credentials=AnonymousCredentials()).create_bucket(
        "reviews"
    )
    bucket.blob("r1.txt").upload_from_string("What a wonderful, delightful hotel!", content_type="text/plain")
    document = {"gcs_content_uri": "gs://reviews/r1.txt", "type_": language_v1.Document.Type.PLAIN_TEXT}
    assert client.analyze_sentiment(document=document).document_sentiment.score > 0.5


def test_annotate_text_computes_document_sentiment_and_declares_the_rest(client: Any) -> None:
    features = language_v1.AnnotateTextRequest.Features
    text = "The view was breathtaking."
    answer = client.annotate_text(
        document=_document(text), features=features(extract_document_sentiment=True)
    )
    assert answer.document_sentiment.score > 0.3 and answer.language == "en"
    with pytest.raises(gx.MethodNotImplemented) as caught:
        client.annotate_text(
            document=_document(text), features=features(extract_document_sentiment=True, extract_syntax=True)
        )
    assert "extractSyntax" in caught.value.message and "parser" in caught.value.message
