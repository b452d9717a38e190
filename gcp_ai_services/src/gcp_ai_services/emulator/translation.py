"""Cloud Translation v3: ``translateText``, ``detectLanguage`` and ``supportedLanguages`` over apertium.

Translations are apertium's (rule-based: grammatical within its dictionaries, literal outside them; far
below Google's neural models). A pair apertium lacks is ``UNIMPLEMENTED`` with the Debian package to
install; a malformed language code is ``INVALID_ARGUMENT``. Glossaries and custom models are resources the
local cloud does not hold yet, so naming one is ``NOT_FOUND`` naming it. Detection is langdetect's.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.quotas import Quotas, consumer
from gcp_ai_services.emulator.wire import invalid, member, text_field, unimplemented

SERVICE = "translate.googleapis.com"
#: Translation's recommended maximum per request, in code points
MAX_CODE_POINTS = 30_000
MAX_SEGMENTS = 1024
#: the general model, by either of its names
GENERAL_MODELS = ("general/nmt", "general/base")
PLAIN_TEXT = "text/plain"


class TranslationAPI:
    """The v3 methods under ``projects/*`` and ``projects/*/locations/*``."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def routes(self) -> GoogleRoutes:
        routes = GoogleRoutes()
        for parent in ("{parent=projects/*/locations/*}", "{parent=projects/*}"):
            routes.add("POST", f"/v3/{parent}:translateText", self.translate_text)
            routes.add("POST", f"/v3/{parent}:detectLanguage", self.detect_language)
            routes.add("GET", f"/v3/{parent}/supportedLanguages", self.supported_languages)
        return routes

    def translate_text(self, request: Any, parent: str) -> dict[str, Any]:
        from multi_cloud.onprem.translation import OnPremTranslation

        body = json_body(request)
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents or not all(isinstance(c, str) for c in contents):
            raise invalid("Contents are required: 'contents' must be a non-empty list of strings.")
        if len(contents) > MAX_SEGMENTS:
            raise invalid(f"Too many text segments: {len(contents)} (the limit is {MAX_SEGMENTS}).")
        if sum(len(c) for c in contents) > MAX_CODE_POINTS:
            raise invalid(f"Text too long: the request holds more than {MAX_CODE_POINTS:,} code points.")
        target = text_field(body, "targetLanguageCode", "target_language_code")
        if not target:
            raise invalid("Target language code is required.")
        source = text_field(body, "sourceLanguageCode", "source_language_code")
        _check_mime_type(body)
        _check_model(body, parent)
        glossary = member(body, "glossaryConfig", "glossary_config").get("glossary")
        if glossary:
            raise GoogleError("NOT_FOUND", f"Glossary not found: {glossary}")
        self.quotas.charge(SERVICE, consumer(request, parent))
        engine = OnPremTranslation("gcp")
        translations = []
        for text in contents:
            if not text.strip():
                translations.append({"translatedText": text})
                continue
            try:
                result = engine.translate(text, target=target, source=source)
            except InvalidArgument as exc:
                raise invalid(f"Invalid language code or text: {exc.message}") from exc
            translation: dict[str, Any] = {"translatedText": result.text}
            if not source:
                translation["detectedLanguageCode"] = result.source_language
            translations.append(translation)
        return {"translations": translations}

    def detect_language(self, request: Any, parent: str) -> dict[str, Any]:
        from multi_cloud.onprem.language import OnPremLanguage

        body = json_body(request)
        if body.get("model"):
            _check_model({"model": body["model"]}, parent)
        _check_mime_type(body)
        content = text_field(body, "content")
        if not content.strip():
            raise invalid("Content is required: 'content' must hold the text to detect.")
        if len(content) > MAX_CODE_POINTS:
            raise invalid(f"Text too long: the content holds more than {MAX_CODE_POINTS:,} code points.")
        self.quotas.charge(SERVICE, consumer(request, parent))
        found = OnPremLanguage("gcp").detect_language(content)
        return {"languages": [{"languageCode": c.code, "confidence": c.confidence} for c in found]}

    def supported_languages(self, request: Any, parent: str) -> dict[str, Any]:
        from multi_cloud.onprem.translation import OnPremTranslation

        pairs = OnPremTranslation("gcp").language_pairs()
        sources = {source for source, _target in pairs}
        targets = {target for _source, target in pairs}
        return {
            "languages": [
                {"languageCode": code, "supportSource": code in sources, "supportTarget": code in targets}
                for code in sorted(sources | targets)
            ]
        }


def _check_mime_type(body: dict[str, Any]) -> None:
    mime_type = text_field(body, "mimeType", "mime_type") or PLAIN_TEXT
    if mime_type == "text/html":
        raise unimplemented("mimeType text/html", "apertium's HTML mode is not wired in; send text/plain")
    if mime_type != PLAIN_TEXT:
        raise invalid(f"Unsupported mime type: {mime_type!r} (use text/plain or text/html).")


def _check_model(body: dict[str, Any], parent: str) -> None:
    """The general model is apertium here; a custom (AutoML) model is a resource that does not exist."""
    model = text_field(body, "model")
    if not model or model.endswith(GENERAL_MODELS):
        return
    raise GoogleError("NOT_FOUND", f"Model not found: {model}")
