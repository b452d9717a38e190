"""AzureProvider: Blob storage and the Azure AI services behind the multi-cloud provider interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from multi_cloud.core.base import Capabilities, CloudProvider
from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health

from azure_ai_services.errors import azure_errors

if TYPE_CHECKING:  # the service modules import the Azure SDKs; each factory imports its own on first use
    from azure_ai_services.azure_ml.model_service import AzureMLModelService
    from azure_ai_services.cognitive_services.computer_vision import AzureVision
    from azure_ai_services.cognitive_services.language_understanding import AzureLanguage
    from azure_ai_services.cognitive_services.speech_services import AzureSpeech
    from azure_ai_services.cognitive_services.translator import AzureTranslation
    from azure_ai_services.infrastructure.costs import AzureCosts
    from azure_ai_services.serverless.portable_events import EventGridEvents
    from azure_ai_services.serverless.portable_functions import AzureFunctionsService
    from azure_ai_services.storage.blob_storage import BlobStorage

#: the portable capabilities without an adapter yet, and where the Azure services themselves are
NOT_YET: dict[str, str] = {}


class AzureProvider(CloudProvider):
    """Microsoft Azure through its official SDKs and REST APIs: Blob, Vision, Language, Speech, Translator.

    In local mode (the default) every client talks to the local cloud (the Azure emulator and Azurite,
    found through ``cloudai local env``); set ``CLOUDAI_MODE=cloud`` and your resource's endpoint and key
    to use Azure with the same code.
    """

    name = "azure"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def capabilities(self) -> Capabilities:
        return Capabilities(
            storage=self._storage,
            vision=self._vision,
            language=self._language,
            translation=self._translation,
            speech=self._speech,
            costs=self._costs,
            models=self._models,
            functions=self._functions,
            events=self._events,
        )

    @property
    def unsupported(self) -> dict[str, str]:
        """What the services declare, plus the capabilities not built yet with the reason."""
        found = super().unsupported
        found.update({name: reason for name, reason in NOT_YET.items() if name in found})
        return found

    def _models(self) -> AzureMLModelService:
        from azure_ai_services.azure_ml.model_service import AzureMLModelService

        return AzureMLModelService(self.name, self.settings)

    def _functions(self) -> AzureFunctionsService:
        from azure_ai_services.serverless.portable_functions import AzureFunctionsService

        return AzureFunctionsService(self.name, self.settings)

    def _events(self) -> EventGridEvents:
        from azure_ai_services.serverless.portable_events import EventGridEvents

        return EventGridEvents(self.name, self.settings, functions=self._functions())

    def _costs(self) -> AzureCosts:
        from azure_ai_services.infrastructure.costs import AzureCosts

        return AzureCosts(self.name, self.settings)

    def _storage(self) -> BlobStorage:
        from azure_ai_services.storage.blob_storage import BlobStorage

        return BlobStorage(self.name, self.settings)

    def _vision(self) -> AzureVision:
        from azure_ai_services.cognitive_services.computer_vision import AzureVision

        return AzureVision(self.name, self.settings)

    def _language(self) -> AzureLanguage:
        from azure_ai_services.cognitive_services.language_understanding import AzureLanguage

        return AzureLanguage(self.name, self.settings)

    def _speech(self) -> AzureSpeech:
        from azure_ai_services.cognitive_services.speech_services import AzureSpeech

        return AzureSpeech(self.name, self.settings)

    def _translation(self) -> AzureTranslation:
        from azure_ai_services.cognitive_services.translator import AzureTranslation

        return AzureTranslation(self.name, self.settings)

    def health(self) -> Health:
        """Whether Blob storage (list containers) and the AI services (detect a language) answer."""
        checks: dict[str, bool] = {}
        problems: list[str] = []
        probes: dict[str, Callable[[], object]] = {
            "blob": lambda: next(iter(self.service("storage").list_buckets()), None),
            "ai-services": lambda: self.service("language").detect_language("health check"),
        }
        for name, probe in probes.items():
            try:
                with azure_errors(f"health.{name}"):
                    probe()
                checks[name] = True
            except CloudError as exc:
                checks[name] = False
                problems.append(f"{name}: {exc}")
        detail = "; ".join(problems) or "Blob storage and the Azure AI services answer"
        return Health(provider=self.name, ok=not problems, detail=detail, checks=checks)
