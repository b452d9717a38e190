"""Azure AI Language ``/language/:analyze-text``: sentiment, language, key phrases and PII, computed locally.

Each document is answered on its own: a bad document gets a per-document error (as the service does), a
bad request a 400 ``InvalidRequest`` with the reason in ``innererror``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.service_errors import invalid_request, not_computed

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.onprem.language import OnPremLanguage
    from werkzeug.wrappers import Request

API_VERSIONS = ("2022-05-01", "2023-04-01", "2023-11-15-preview", "2024-11-01")
MAX_TEXT_CHARS = 5120
#: documents per request, per task (the service's documented limits)
MAX_DOCUMENTS = {
    "SentimentAnalysis": 10,
    "LanguageDetection": 1000,
    "KeyPhraseExtraction": 10,
    "PiiEntityRecognition": 5,
}
MODEL_VERSIONS = {
    "SentimentAnalysis": "2022-11-01",
    "LanguageDetection": "2023-12-01",
    "KeyPhraseExtraction": "2022-10-01",
    "PiiEntityRecognition": "2023-09-01",
}
NOT_COMPUTED = {
    "EntityRecognition": "no offline named-entity model",
    "EntityLinking": "no offline entity-linking knowledge base",
    "Healthcare": "no offline healthcare model",
}
#: the PII engine's types as the service's categories
PII_CATEGORIES = {
    "EMAIL": "Email",
    "PHONE": "PhoneNumber",
    "CREDIT_DEBIT_NUMBER": "CreditCardNumber",
    "IP_ADDRESS": "IPAddress",
    "SSN": "USSocialSecurityNumber",
}
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ru": "Russian", "ja": "Japanese", "zh-cn": "Chinese_Simplified", "ko": "Korean",
    "ar": "Arabic", "ca": "Catalan", "sv": "Swedish", "pl": "Polish", "tr": "Turkish", "da": "Danish",
    "fi": "Finnish", "no": "Norwegian", "cs": "Czech", "el": "Greek", "hi": "Hindi", "uk": "Ukrainian",
}  # fmt: skip
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")


class Language:
    """The four tasks the engines can back (VADER, langdetect, yake, the PII rules)."""

    def __init__(self) -> None:
        from multi_cloud.onprem.language import OnPremLanguage

        self.engine: OnPremLanguage = OnPremLanguage("azure")
        self.tasks: dict[str, Callable[[str, str], dict[str, Any]]] = {
            "SentimentAnalysis": self.sentiment,
            "LanguageDetection": self.detect_language,
            "KeyPhraseExtraction": self.key_phrases,
            "PiiEntityRecognition": self.pii,
        }

    def routes(self) -> AzureRoutes:
        return AzureRoutes(
            {("POST", "/language/:analyze-text"): self.analyze_text}, api_versions=API_VERSIONS
        )

    def analyze_text(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        kind = body.get("kind")
        if not isinstance(kind, str):
            raise invalid_request("InvalidParameterValue", "The request needs a task 'kind' string.")
        if kind in NOT_COMPUTED:
            raise not_computed(f"kind={kind}", NOT_COMPUTED[kind])
        if kind not in self.tasks:
            raise invalid_request(
                "InvalidParameterValue",
                f"Invalid Task kind: {kind!r}; the local emulator computes {', '.join(self.tasks)}.",
            )
        analysis_input = body.get("analysisInput")
        documents = analysis_input.get("documents") if isinstance(analysis_input, dict) else None
        if not isinstance(documents, list) or not documents:
            raise invalid_request("MissingInputDocuments", "Missing input documents.")
        if len(documents) > MAX_DOCUMENTS[kind]:
            raise invalid_request(
                "InvalidDocumentBatch",
                f"Batch request contains too many records. Max {MAX_DOCUMENTS[kind]} records are permitted.",
            )
        ids = [d.get("id") if isinstance(d, dict) else None for d in documents]
        if len(set(map(str, ids))) != len(ids):
            raise invalid_request(
                "InvalidDocument", "Request contains duplicated Ids. Make sure each document has a unique Id."
            )
        answered: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for document in documents:
            answer = self._one(kind, document)
            (errors if "error" in answer else answered).append(answer)
        results = {"documents": answered, "errors": errors, "modelVersion": MODEL_VERSIONS[kind]}
        return {"kind": f"{kind}Results", "results": results}

    def _one(self, kind: str, document: Any) -> dict[str, Any]:
        identifier = str(document.get("id", "")) if isinstance(document, dict) else ""
        text = document.get("text") if isinstance(document, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _document_error(identifier, "InvalidDocument", "Document text is empty.")
        if len(text) > MAX_TEXT_CHARS:
            return _document_error(
                identifier,
                "InvalidDocument",
                f"A document within the request was too large to be processed. Limit document size to: "
                f"{MAX_TEXT_CHARS} text elements.",
            )
        language = str(document.get("language") or document.get("countryHint") or "en")
        try:
            return {"id": identifier, **self.tasks[kind](text, language), "warnings": []}
        except CloudError as exc:
            return _document_error(identifier, "UnsupportedLanguageCode", exc.message)

    def sentiment(self, text: str, language: str) -> dict[str, Any]:
        whole = self.engine.sentiment(text, language=language)
        sentences = []
        for match in _SENTENCE.finditer(text):
            piece = match.group(0).strip()
            if not piece:
                continue
            offset = text.index(piece, match.start())
            found = self.engine.sentiment(piece, language=language)
            label = found.label.lower() if found.label != "MIXED" else "neutral"
            sentences.append(
                {
                    "sentiment": label,
                    "confidenceScores": _scores(found.scores),
                    "offset": offset,
                    "length": len(piece),
                    "text": piece,
                    "targets": [],
                    "assessments": [],
                }
            )
        return {
            "sentiment": whole.label.lower(),
            "confidenceScores": _scores(whole.scores),
            "sentences": sentences,
        }

    def detect_language(self, text: str, language: str) -> dict[str, Any]:
        best = self.engine.detect_language(text)[0]
        return {
            "detectedLanguage": {
                "name": LANGUAGE_NAMES.get(best.code, best.code),
                "iso6391Name": best.code,
                "confidenceScore": round(best.confidence, 2),
            }
        }

    def key_phrases(self, text: str, language: str) -> dict[str, Any]:
        return {"keyPhrases": [phrase.text for phrase in self.engine.key_phrases(text, language=language)]}

    def pii(self, text: str, language: str) -> dict[str, Any]:
        found = self.engine.pii(text, language=language)
        redacted = list(text)
        entities = []
        for entity in found:
            redacted[entity.begin : entity.end] = "*" * (entity.end - entity.begin)
            entities.append(
                {
                    "text": entity.text,
                    "category": PII_CATEGORIES.get(entity.type, entity.type),
                    "offset": entity.begin,
                    "length": entity.end - entity.begin,
                    "confidenceScore": round(entity.score, 2),
                }
            )
        return {"redactedText": "".join(redacted), "entities": entities}


def _scores(scores: Any) -> dict[str, float]:
    """POSITIVE/NEUTRAL/NEGATIVE(/MIXED) as the service's three scores, summing to 1."""
    positive, neutral, negative = (float(scores.get(k, 0.0)) for k in ("POSITIVE", "NEUTRAL", "NEGATIVE"))
    total = positive + neutral + negative or 1.0
    return {
        k: round(v / total, 2)
        for k, v in (("positive", positive), ("neutral", neutral), ("negative", negative))
    }


def _document_error(identifier: str, inner_code: str, message: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "error": {
            "code": "InvalidArgument",
            "message": message,
            "innererror": {"code": inner_code, "message": message},
        },
    }
