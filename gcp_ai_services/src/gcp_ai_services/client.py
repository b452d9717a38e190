"""GCPProvider: the Google Cloud services composed behind the multi-cloud provider interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from multi_cloud.core.base import Capabilities, CloudProvider
from multi_cloud.core.errors import CloudError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health

from gcp_ai_services.errors import google_errors

if TYPE_CHECKING:  # the service modules import the Google clients; each factory imports its own on first use
    from gcp_ai_services.ai_apis.natural_language_api import CloudNaturalLanguage
    from gcp_ai_services.ai_apis.speech_api import CloudSpeech
    from gcp_ai_services.ai_apis.translation_api import CloudTranslation
    from gcp_ai_services.ai_apis.vision_api import CloudVision
    from gcp_ai_services.infrastructure.costs import GCPCosts
    from gcp_ai_services.serverless.portable_events import PubSubEvents
    from gcp_ai_services.serverless.portable_functions import CloudFunctionsService
    from gcp_ai_services.storage.gcs import GCSStorage
    from gcp_ai_services.vertex_ai.model_service import VertexModelService


class GCPProvider(CloudProvider):
    """Google Cloud through the official google-cloud-* clients: every capability of the interface.

    In local mode (the default) every client talks to the local cloud (the Google emulator and
    gcp-storage-emulator); set ``CLOUDAI_MODE=cloud`` to use your Google Cloud project with the same code.
    """

    name = "gcp"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def capabilities(self) -> Capabilities:
        """Cloud Storage, Vision, Natural Language, Speech-to-Text + Text-to-Speech, Translation, Vertex AI
        (models), Cloud Functions (functions), Pub/Sub (events) and the price catalog (costs)."""
        return Capabilities(
            storage=self._storage,
            vision=self._vision,
            language=self._language,
            speech=self._speech,
            translation=self._translation,
            models=self._models,
            functions=self._functions,
            events=self._events,
            costs=self._costs,
        )

    def _storage(self) -> GCSStorage:
        from gcp_ai_services.storage.gcs import GCSStorage

        return GCSStorage(self.name, self.settings)

    def _vision(self) -> CloudVision:
        from gcp_ai_services.ai_apis.vision_api import CloudVision

        return CloudVision(self.name, self.settings)

    def _language(self) -> CloudNaturalLanguage:
        from gcp_ai_services.ai_apis.natural_language_api import CloudNaturalLanguage

        return CloudNaturalLanguage(self.name, self.settings)

    def _speech(self) -> CloudSpeech:
        from gcp_ai_services.ai_apis.speech_api import CloudSpeech

        return CloudSpeech(self.name, self.settings)

    def _translation(self) -> CloudTranslation:
        from gcp_ai_services.ai_apis.translation_api import CloudTranslation

        return CloudTranslation(self.name, self.settings)

    def _models(self) -> VertexModelService:
        from gcp_ai_services.vertex_ai.model_service import VertexModelService

        return VertexModelService(self.name, self.settings)

    def _functions(self) -> CloudFunctionsService:
        from gcp_ai_services.serverless.portable_functions import CloudFunctionsService

        return CloudFunctionsService(self.name, self.settings, location=self.settings.gcp.location)

    def _events(self) -> PubSubEvents:
        from gcp_ai_services.serverless.portable_events import PubSubEvents

        return PubSubEvents(self.name, self.settings, functions=self._functions())

    def _costs(self) -> GCPCosts:
        from gcp_ai_services.infrastructure.costs import GCPCosts

        return GCPCosts(self.name, self.settings)

    def health(self) -> Health:
        """Whether Cloud Storage (list buckets) and the AI APIs (Text-to-Speech voices) answer."""
        from gcp_ai_services.session import google_client, storage_client

        probes: dict[str, Callable[[], object]] = {
            "storage": lambda: list(storage_client(self.settings).list_buckets(max_results=1)),
            "ai-apis": lambda: google_client("texttospeech", self.settings).list_voices(language_code="en"),
        }
        checks: dict[str, bool] = {}
        problems: list[str] = []
        for service, probe in probes.items():
            try:
                with google_errors(f"health.{service}"):
                    probe()
                checks[service] = True
            except CloudError as exc:
                checks[service] = False
                problems.append(f"{service}: {exc}")
        detail = "; ".join(problems) if problems else "Cloud Storage and the AI APIs answer"
        return Health(provider=self.name, ok=not problems, detail=detail, checks=checks)
