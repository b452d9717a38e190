"""AzureTranslation: Translator v3.0 over its REST API, as Microsoft's Python quickstart calls it (requests).

The path is the custom-domain form (``{endpoint}/translator/text/v3.0/translate``), which a multi-service
Azure AI services resource answers, so one endpoint and key serve every service.
"""

from __future__ import annotations

import os
from typing import Any

from multi_cloud.core.base import TranslationService
from multi_cloud.core.errors import CloudError, InvalidArgument, error_for_status
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Translation

from azure_ai_services.clients import KEY_VARIABLE, ai_services_endpoint

TRANSLATE_PATH = "/translator/text/v3.0/translate"
LANGUAGES_PATH = "/translator/text/v3.0/languages"
#: the resource's region, required by Translator for multi-service keys in the cloud
REGION_VARIABLE = "AZURE_AI_SERVICES_REGION"
TIMEOUT = 60.0


class AzureTranslation(TranslationService):
    """``POST /translate?api-version=3.0&to=..`` with ``[{"Text": ...}]``; errors keep Translator's codes."""

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    def _call(self, operation: str, method: str, path: str, **request: Any) -> Any:
        import requests

        headers = {"Ocp-Apim-Subscription-Key": os.environ.get(KEY_VARIABLE, "")}
        if os.environ.get(REGION_VARIABLE):
            headers["Ocp-Apim-Subscription-Region"] = os.environ[REGION_VARIABLE]
        url = ai_services_endpoint(self.settings).rstrip("/") + path
        try:
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **request)
        except requests.RequestException as exc:
            raise CloudError(str(exc), provider=self.provider, operation=operation) from exc
        if response.status_code >= 400:
            error = (response.json() if response.content else {}).get("error", {})
            failure = error_for_status(response.status_code, str(error.get("message", response.text)))
            failure.code, failure.provider, failure.operation = (
                str(error.get("code", "")),
                self.provider,
                operation,
            )
            raise failure
        return response.json()

    def translate(self, text: str, *, target: str, source: str = "") -> Translation:
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument("text to translate is required", provider=self.provider)
        params = {"api-version": "3.0", "to": target, **({"from": source} if source else {})}
        answer = self._call(
            "translation.translate", "POST", TRANSLATE_PATH, params=params, json=[{"Text": text}]
        )
        first = answer[0]
        detected = (first.get("detectedLanguage") or {}).get("language", "")
        return Translation(
            text=first["translations"][0]["text"],
            source_language=source or detected,
            target_language=first["translations"][0]["to"],
            engine="azure-translator",
        )

    def language_pairs(self) -> list[tuple[str, str]]:
        """Every (source, target) of the languages Translator lists (it translates between any two)."""
        answer = self._call(
            "translation.language_pairs",
            "GET",
            LANGUAGES_PATH,
            params={"api-version": "3.0", "scope": "translation"},
        )
        codes = sorted(answer.get("translation", {}))
        return [(source, target) for source in codes for target in codes if source != target]
