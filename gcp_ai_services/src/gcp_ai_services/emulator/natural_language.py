"""Cloud Natural Language v1: sentiment by VADER (``analyzeSentiment``, ``annotateText``); the rest declared.

Sentiment: each sentence's ``score`` is VADER's compound (-1..1) and its ``magnitude`` the compound's
absolute value; the document's ``score`` is VADER on the whole text and its ``magnitude`` the sum of the
sentences' (Google's magnitude also grows with the amount of emotional text). The language, when not
given, is detected by langdetect. Sentiment in a language Natural Language supports but VADER does not
(VADER is English-only) is ``UNIMPLEMENTED``; a language Natural Language does not support is
``INVALID_ARGUMENT``, as Google answers it.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.document import Document, read_document
from gcp_ai_services.emulator.quotas import Quotas, consumer
from gcp_ai_services.emulator.wire import invalid, member, unimplemented

SERVICE = "language.googleapis.com"
#: languages Natural Language analyses sentiment in (cloud.google.com/natural-language/docs/languages)
SENTIMENT_LANGUAGES = frozenset("ar zh zh-Hant nl en fr de id it ja ko pl pt pt-BR pt-PT es th tr vi".split())
NOT_COMPUTED = {
    "analyzeEntities": "no trustworthy offline named-entity model installs from PyPI (see "
    "multi_cloud.onprem.language.ENTITIES_REASON)",
    "analyzeEntitySentiment": "it needs entities, and no offline named-entity model is installed",
    "analyzeSyntax": "no offline part-of-speech tagger and dependency parser is installed",
    "classifyText": "no offline classifier for Google's content categories is installed",
    "moderateText": "no offline text-moderation model is installed",
}

#: annotateText's features and the method each stands for
FEATURE_METHODS = {
    "extractSyntax": "analyzeSyntax",
    "extractEntities": "analyzeEntities",
    "extractEntitySentiment": "analyzeEntitySentiment",
    "classifyText": "classifyText",
    "moderateText": "moderateText",
}


class NaturalLanguageAPI:
    """``documents:analyzeSentiment`` computed, the other ``documents:*`` methods UNIMPLEMENTED."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", "/v1/documents:analyzeSentiment", self.analyze_sentiment)
        routes.add("POST", "/v1/documents:annotateText", self.annotate_text)
        for method in NOT_COMPUTED:
            routes.add("POST", f"/v1/documents:{method}", _declared(method))
        return routes

    def analyze_sentiment(self, request: Any) -> dict[str, Any]:
        document = read_document(json_body(request))
        language = _sentiment_language(document)
        self.quotas.charge(SERVICE, consumer(request))
        return sentiment(document, language)

    def annotate_text(self, request: Any) -> dict[str, Any]:
        """The features asked for in one call: document sentiment is computed, the others are declared."""
        body = json_body(request)
        features = member(body, "features")
        wanted = [name for name, on in features.items() if on is True]
        if not wanted:
            raise invalid("No features specified: set at least one of AnnotateTextRequest.features.")
        for feature in wanted:
            if feature != "extractDocumentSentiment":
                method = FEATURE_METHODS.get(feature, "")
                raise unimplemented(
                    f"features.{feature}", NOT_COMPUTED.get(method, "no offline engine for it")
                )
        return self.analyze_sentiment(request)


def _declared(method: str) -> Any:
    def answer(request: Any) -> dict[str, Any]:
        raise unimplemented(f"documents:{method}", NOT_COMPUTED[method])

    return answer


def _sentiment_language(document: Document) -> str:
    from multi_cloud.onprem.engines.sentiment import SENTIMENT_LANGUAGES as ENGINE_LANGUAGES
    from multi_cloud.onprem.language import OnPremLanguage

    language = document.language or OnPremLanguage("gcp").detect_language(document.content)[0].code
    base = language.split("-")[0].lower()
    if language not in SENTIMENT_LANGUAGES and base not in SENTIMENT_LANGUAGES:
        raise invalid(f"The language {language} is not supported for document_sentiment analysis.")
    if base not in ENGINE_LANGUAGES:
        raise unimplemented(
            f"sentiment in {language!r}",
            "sentiment is computed offline by VADER, an English lexicon (Natural Language supports it)",
        )
    return language


def sentiment(document: Document, language: str) -> dict[str, Any]:
    from multi_cloud.onprem.engines.sentiment import compound

    sentences: list[dict[str, Any]] = []
    magnitude = 0.0
    for text, index in document.sentences():
        score = round(compound(text), 6)
        magnitude += abs(score)
        sentences.append(
            {
                "text": {"content": text, "beginOffset": document.offset(index)},
                "sentiment": {"score": score, "magnitude": abs(score)},
            }
        )
    return {
        "documentSentiment": {
            "score": round(compound(document.content), 6),
            "magnitude": round(magnitude, 6),
        },
        "language": language,
        "sentences": sentences,
    }
