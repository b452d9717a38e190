"""Comprehend over the wire to the AWS AI emulator: the language conformance suite plus limits and batches."""

from __future__ import annotations

import pytest
from aws_ai_services.ai_services.comprehend import ComprehendClient
from aws_ai_services.client import AWSProvider
from botocore.exceptions import ClientError
from multi_cloud.core.errors import InvalidArgument, Unsupported
from multi_cloud.testing.conformance.language import LanguageConformance


class TestAWSLanguageConformance(LanguageConformance):
    @pytest.fixture
    def provider(self, ai_cloud) -> AWSProvider:  # type: ignore[no-untyped-def]
        return AWSProvider()


@pytest.fixture
def comprehend(ai_cloud):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("comprehend")


def _error(call, **arguments) -> tuple[str, int, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def test_sentiment_scores_are_computed_per_text(comprehend) -> None:  # type: ignore[no-untyped-def]
    happy = comprehend.detect_sentiment(Text="What a wonderful, delightful day!", LanguageCode="en")
    sad = comprehend.detect_sentiment(Text="This is awful and I hate it.", LanguageCode="en")
    assert happy["Sentiment"] == "POSITIVE" and sad["Sentiment"] == "NEGATIVE"
    assert set(happy["SentimentScore"]) == {"Positive", "Negative", "Neutral", "Mixed"}
    assert happy["SentimentScore"]["Positive"] > sad["SentimentScore"]["Positive"]


def test_sentiment_limit_is_5000_utf8_bytes(comprehend) -> None:  # type: ignore[no-untyped-def]
    comprehend.detect_sentiment(Text="é" * 2500, LanguageCode="en")  # 5,000 bytes: accepted
    code, status, message = _error(comprehend.detect_sentiment, Text="é" * 2501, LanguageCode="en")
    assert (code, status) == ("TextSizeLimitExceededException", 400)
    assert "5000 bytes" in message and "5002 bytes" in message


def test_key_phrases_allow_100_kb(comprehend) -> None:  # type: ignore[no-untyped-def]
    text = "Cloud platforms run machine learning models. " * 500  # 22.5 KB: over 5 KB, under 100 KB
    phrases = comprehend.detect_key_phrases(Text=text, LanguageCode="en")["KeyPhrases"]
    assert phrases and all(text[p["BeginOffset"] : p["EndOffset"]] == p["Text"] for p in phrases)
    code, _status, _message = _error(comprehend.detect_key_phrases, Text="word " * 20_001, LanguageCode="en")
    assert code == "TextSizeLimitExceededException"


def test_language_codes_outside_comprehends_list_are_validation_errors(comprehend) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(comprehend.detect_sentiment, Text="hello", LanguageCode="xx")
    assert (code, status) == ("ValidationException", 400) and "languageCode" in message


def test_sentiment_in_a_language_vader_cannot_read_is_not_implemented(comprehend) -> None:  # type: ignore[no-untyped-def]
    code, status, message = _error(comprehend.detect_sentiment, Text="C'est magnifique", LanguageCode="fr")
    assert (code, status) == ("NotImplemented", 501) and "VADER" in message


def test_pii_only_in_english_and_spanish(comprehend) -> None:  # type: ignore[no-untyped-def]
    code, _status, _message = _error(
        comprehend.detect_pii_entities, Text="mail me at a@b.com", LanguageCode="de"
    )
    assert code == "UnsupportedLanguageException"


def test_contains_pii_labels_types_present(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    found = ComprehendClient().contains_pii("Write to jane@example.com or call +1 415 555 0100.")
    assert set(found) == {"EMAIL", "PHONE"}


def test_batch_sentiment_keeps_order_and_reports_bad_documents(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    texts = ["I love it", "   ", "I hate it"]
    results = ComprehendClient().batch_sentiment(texts)
    assert results[0] is not None and results[0].label == "POSITIVE"
    assert results[1] is None  # Comprehend's ErrorList entry for the blank document
    assert results[2] is not None and results[2].label == "NEGATIVE"


def test_batch_over_25_documents_is_split_by_the_client_and_refused_by_the_service(comprehend) -> None:  # type: ignore[no-untyped-def]
    texts = [f"Document number {i} is about clouds." for i in range(30)]
    languages = ComprehendClient().batch_dominant_language(texts)
    assert len(languages) == 30 and all(found and found[0].code == "en" for found in languages)
    code, _status, _message = _error(comprehend.batch_detect_dominant_language, TextList=texts)
    assert code == "BatchSizeLimitExceededException"


def test_batch_document_limit_is_5000_bytes(comprehend) -> None:  # type: ignore[no-untyped-def]
    code, _status, _message = _error(
        comprehend.batch_detect_key_phrases, TextList=["ok", "x" * 5001], LanguageCode="en"
    )
    assert code == "TextSizeLimitExceededException"


def test_entities_are_declared_unsupported_in_local_mode(ai_cloud) -> None:  # type: ignore[no-untyped-def]
    language = AWSProvider().language
    assert not language.supports("entities")
    with pytest.raises(Unsupported):
        language.entities("Grace Hopper worked in Washington.")


def test_whitespace_text_is_an_invalid_request(comprehend) -> None:  # type: ignore[no-untyped-def]
    code, status, _message = _error(comprehend.detect_key_phrases, Text="   ", LanguageCode="en")
    assert (code, status) == ("InvalidRequestException", 400)
    with pytest.raises(InvalidArgument):
        ComprehendClient().key_phrases("   ")
