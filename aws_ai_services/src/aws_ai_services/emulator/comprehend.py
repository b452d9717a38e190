"""Amazon Comprehend's real-time APIs, computed by the on-prem engines (VADER, langdetect, YAKE, PII).

Limits are Comprehend's: 5 KB of UTF-8 for DetectSentiment and for each batch document, 100 KB for the
other single-document APIs, 25 documents a batch. Language codes outside Comprehend's list are a
``ValidationException``; a listed language the offline engine cannot handle (sentiment in French) is a
501 ``NotImplemented`` naming the engine, since Comprehend itself would answer. DetectEntities is 501: no
offline named-entity model installs from PyPI (see ``multi_cloud.onprem.language``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument
from multi_cloud.emulation.protocols.aws.errors import AwsError, ErrorCodes, RequestContext, not_implemented
from multi_cloud.emulation.protocols.aws.routing import AwsResponder

SENTIMENT_BYTES = 5_000
DOCUMENT_BYTES = 100_000
BATCH_DOCUMENT_BYTES = 5_000
BATCH_SIZE = 25
#: Comprehend's LanguageCode enum (botocore model)
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "ar", "hi", "ja", "ko", "zh", "zh-TW")
PII_LANGUAGES = ("en", "es")
SENTIMENT_KEYS = {"POSITIVE": "Positive", "NEGATIVE": "Negative", "NEUTRAL": "Neutral", "MIXED": "Mixed"}


def check_size(text: str, limit: int) -> None:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # JSON allows "\ud800"; UTF-8 cannot hold it
        raise AwsError(
            "InvalidRequestException",
            f"The text is not valid UTF-8: a lone surrogate U+{ord(text[exc.start]):04X} at character "
            f"{exc.start}",
            fields={"Reason": "INVALID_DOCUMENT"},
        ) from exc
    if size > limit:
        raise AwsError(
            "TextSizeLimitExceededException",
            f"Input text size exceeds limit. Max length of request text allowed is {limit} bytes while in "
            f"this request the text size is {size} bytes",
        )


def check_language(code: str, allowed: tuple[str, ...] = LANGUAGES) -> str:
    if code not in LANGUAGES:
        raise AwsError(
            "ValidationException",
            f"1 validation error detected: Value '{code}' at 'languageCode' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(LANGUAGES)}]",
        )
    if code not in allowed:
        raise AwsError(
            "UnsupportedLanguageException",
            f"The language code {code} is not supported by this API; supported: {', '.join(allowed)}",
        )
    return code


class ComprehendResponses(AwsResponder):
    service_name = "comprehend"
    validate_input = True
    error_codes = ErrorCodes(invalid="InvalidRequestException")

    @cached_property
    def engine(self) -> Any:
        from multi_cloud.onprem.language import OnPremLanguage

        return OnPremLanguage("aws-emulator")

    def map_error(self, exc: CloudError, operation: str) -> AwsError:
        if isinstance(exc, InvalidArgument):
            return AwsError("InvalidRequestException", exc.message, fields={"Reason": "INVALID_DOCUMENT"})
        return super().map_error(exc, operation)

    # ------------------------------------------------------------------ single documents
    def detect_sentiment(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        text = params["Text"]
        check_size(text, SENTIMENT_BYTES)
        return self._sentiment(text, check_language(params["LanguageCode"]))

    def detect_dominant_language(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        check_size(params["Text"], DOCUMENT_BYTES)
        return self._languages(params["Text"])

    def detect_key_phrases(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        check_size(params["Text"], DOCUMENT_BYTES)
        return self._key_phrases(params["Text"], check_language(params["LanguageCode"]))

    def detect_pii_entities(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        check_size(params["Text"], DOCUMENT_BYTES)
        check_language(params["LanguageCode"], PII_LANGUAGES)
        entities = self.engine.pii(params["Text"], language=params["LanguageCode"])
        return {
            "Entities": [
                {"Score": e.score, "Type": e.type, "BeginOffset": e.begin, "EndOffset": e.end}
                for e in entities
            ]
        }

    def contains_pii_entities(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        check_size(params["Text"], DOCUMENT_BYTES)
        check_language(params["LanguageCode"], PII_LANGUAGES)
        best: dict[str, float] = {}
        for entity in self.engine.pii(params["Text"], language=params["LanguageCode"]):
            best[entity.type] = max(best.get(entity.type, 0.0), entity.score)
        return {"Labels": [{"Name": name, "Score": score} for name, score in best.items()]}

    def detect_entities(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        from multi_cloud.onprem.language import ENTITIES_REASON

        raise not_implemented("Comprehend DetectEntities", ENTITIES_REASON)

    # ------------------------------------------------------------------ batches
    def batch_detect_sentiment(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        language = check_language(params["LanguageCode"])
        return self._batch(params["TextList"], lambda text: self._sentiment(text, language))

    def batch_detect_dominant_language(
        self, params: dict[str, Any], context: RequestContext
    ) -> dict[str, Any]:
        return self._batch(params["TextList"], self._languages)

    def batch_detect_key_phrases(self, params: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        language = check_language(params["LanguageCode"])
        return self._batch(params["TextList"], lambda text: self._key_phrases(text, language))

    def _batch(self, texts: list[str], analyse: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        if len(texts) > BATCH_SIZE:
            raise AwsError(
                "BatchSizeLimitExceededException",
                f"The number of documents in the request exceeds the limit of {BATCH_SIZE} "
                f"(got {len(texts)})",
            )
        for text in texts:
            check_size(text, BATCH_DOCUMENT_BYTES)
        results, errors = [], []
        for index, text in enumerate(texts):
            try:
                results.append({"Index": index, **analyse(text)})
            except InvalidArgument as exc:  # one bad document does not fail the batch
                errors.append({"Index": index, "ErrorCode": "INVALID_DOCUMENT", "ErrorMessage": exc.message})
        return {"ResultList": results, "ErrorList": errors}

    # ------------------------------------------------------------------ engines
    def _sentiment(self, text: str, language: str) -> dict[str, Any]:
        from multi_cloud.onprem.engines.sentiment import SENTIMENT_LANGUAGES

        if language not in SENTIMENT_LANGUAGES:
            raise not_implemented(
                "Comprehend DetectSentiment",
                f"sentiment is computed offline by VADER, an English lexicon; {language!r} text cannot be "
                "scored here (Comprehend itself supports it)",
            )
        result = self.engine.sentiment(text, language=language)
        return {
            "Sentiment": result.label,
            "SentimentScore": {key: float(result.scores[label]) for label, key in SENTIMENT_KEYS.items()},
        }

    def _languages(self, text: str) -> dict[str, Any]:
        found = self.engine.detect_language(text)
        return {"Languages": [{"LanguageCode": c.code, "Score": c.confidence} for c in found]}

    def _key_phrases(self, text: str, language: str) -> dict[str, Any]:
        phrases = self.engine.key_phrases(text, language=language)
        return {
            "KeyPhrases": [
                {"Score": p.score, "Text": p.text, "BeginOffset": p.begin, "EndOffset": p.end}
                for p in phrases
            ]
        }
