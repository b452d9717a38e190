"""Translator v3.0 (``/translate?api-version=3.0``, ``/languages``): rule-based apertium, computed locally.

Translator's errors carry six-digit numeric codes (``400036``: the target language is not valid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import CloudError, Unsupported
from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.onprem.translation import OnPremTranslation
    from werkzeug.wrappers import Request

API_VERSIONS = ("3.0",)
MAX_ELEMENTS = 1000
MAX_CHARACTERS = 50_000


class TranslatorError(AzureError):
    """Translator's body: ``{"error": {"code": 400036, "message": ...}}`` (the code is a number)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(status, str(code), message)
        self.number = code

    def error(self) -> dict[str, Any]:
        return {"code": self.number, "message": self.message}


class Translator:
    """Translation through the installed apertium pairs; language detection through langdetect."""

    def __init__(self) -> None:
        from multi_cloud.onprem.language import OnPremLanguage
        from multi_cloud.onprem.translation import OnPremTranslation

        self.engine: OnPremTranslation = OnPremTranslation("azure")
        self.detector = OnPremLanguage("azure")

    def routes(self) -> AzureRoutes:
        return AzureRoutes(
            {
                ("POST", "/translate"): self.translate,
                ("GET", "/languages"): self.languages,
                # the same API under a resource's custom domain (multi-service Azure AI services endpoints)
                ("POST", "/translator/text/v3.0/translate"): self.translate,
                ("GET", "/translator/text/v3.0/languages"): self.languages,
            },
            api_versions=API_VERSIONS,
        )

    def translate(self, request: Request) -> list[dict[str, Any]]:
        targets = request.args.getlist("to")
        if not targets:
            raise TranslatorError(400, 400036, "The target language is not valid.")
        source = request.args.get("from", "")
        body = request.get_json(silent=True, force=True)
        if not isinstance(body, list) or not body:
            raise TranslatorError(400, 400074, "The body of the request is not valid JSON.")
        if len(body) > MAX_ELEMENTS:
            raise TranslatorError(400, 400077, "The maximum request size has been exceeded.")
        texts = [item.get("Text", item.get("text")) if isinstance(item, dict) else None for item in body]
        if any(not isinstance(text, str) for text in texts):
            raise TranslatorError(
                400, 400019, "One of the specified text elements is missing or not a string."
            )
        if sum(len(text) for text in texts if isinstance(text, str)) > MAX_CHARACTERS:
            raise TranslatorError(400, 400050, "The input text is too long.")
        pairs = {target for _source, target in self.engine.language_pairs()}
        for target in targets:
            if target.split("-")[0] not in pairs and target != source:
                raise TranslatorError(400, 400036, f"The target language is not valid: {target}.")
        return [self._one(str(text), source, targets) for text in texts]

    def _one(self, text: str, source: str, targets: list[str]) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        if not source:
            detected = self.detector.detect_language(text)[0].code if text.strip() else "en"
            answer["detectedLanguage"] = {"language": detected, "score": 1.0}
        translations = []
        for target in targets:
            if not text.strip():
                translations.append({"text": text, "to": target})
                continue
            try:
                result = self.engine.translate(text, target=target, source=source)
            except Unsupported as exc:
                raise TranslatorError(
                    400, 400035, f"The source language is not valid: {exc.message}"
                ) from exc
            except CloudError as exc:
                raise TranslatorError(400, 400000, exc.message) from exc
            translations.append({"text": result.text, "to": target})
        answer["translations"] = translations
        return answer

    def languages(self, request: Request) -> dict[str, Any]:
        from multi_cloud.onprem.engines.language_codes import to_iso1

        codes = sorted({to_iso1(code) for pair in self.engine.language_pairs() for code in pair})
        return {"translation": {code: {"name": code, "nativeName": code, "dir": "ltr"} for code in codes}}
