"""Azure AI Language through the plain TextAnalyticsClient: the four computed tasks and Azure's errors."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def text_analytics(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.textanalytics import TextAnalyticsClient

    return TextAnalyticsClient(endpoint=endpoint, credential=key_credential)


def test_sentiment_per_document_and_sentence(text_analytics: Any) -> None:
    documents = [
        "I love this phone, the camera is wonderful. The battery is terrible and it died in an hour.",
        "This was the worst service I have ever had; rude staff and cold food.",
    ]
    first, second = text_analytics.analyze_sentiment(documents)
    assert [s.sentiment for s in first.sentences] == ["positive", "negative"]
    assert first.sentences[1].offset == documents[0].index("The battery")
    assert second.sentiment == "negative"
    scores = second.confidence_scores
    assert abs(scores.positive + scores.neutral + scores.negative - 1) < 0.02
    assert scores.negative > scores.positive


def test_detect_language(text_analytics: Any) -> None:
    english, french = text_analytics.detect_language(
        [
            "The weather is lovely today and we are going to the beach.",
            "Le chat dort sur la table de la cuisine.",
        ]
    )
    assert (english.primary_language.iso6391_name, english.primary_language.name) == ("en", "English")
    assert french.primary_language.iso6391_name == "fr"


def test_key_phrases(text_analytics: Any) -> None:
    (result,) = text_analytics.extract_key_phrases(
        ["Amazon Rekognition and Google Cloud Vision detect faces in photographs."]
    )
    joined = " ".join(result.key_phrases).lower()
    assert "rekognition" in joined or "cloud vision" in joined


def test_pii_entities_and_redaction(text_analytics: Any) -> None:
    text = "Contact jane.doe@example.com or card 4111 1111 1111 1111 today."
    (result,) = text_analytics.recognize_pii_entities([text])
    categories = {(entity.category, entity.text) for entity in result.entities}
    assert ("Email", "jane.doe@example.com") in categories
    assert ("CreditCardNumber", "4111 1111 1111 1111") in categories
    assert "jane.doe" not in result.redacted_text and len(result.redacted_text) == len(text)


def test_an_empty_document_is_a_document_error(text_analytics: Any) -> None:
    good, bad = text_analytics.analyze_sentiment(["Fine.", ""])
    assert not good.is_error
    assert bad.is_error and bad.error.code == "InvalidDocument"


def test_a_language_vader_does_not_know_is_unsupported_language_code(text_analytics: Any) -> None:
    (result,) = text_analytics.analyze_sentiment(["Das ist ein Test."], language="de")
    assert result.is_error and result.error.code == "UnsupportedLanguageCode"


def test_too_many_documents_is_invalid_document_batch(text_analytics: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        text_analytics.recognize_pii_entities([f"document {n}" for n in range(6)])
    assert raised.value.status_code == 400
    # the client lifts the service's innererror code (InvalidRequest > InvalidDocumentBatch) to error.code
    assert raised.value.error.code == "InvalidDocumentBatch"


def test_entity_recognition_is_501(text_analytics: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        text_analytics.recognize_entities(["Grace Hopper worked for the United States Navy."])
    assert raised.value.status_code == 501
    assert raised.value.error.code == "NotImplemented"
