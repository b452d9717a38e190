"""OnPremProvider: composes the on-premises capability services over one root directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from multi_cloud.core.base import Capabilities, CloudProvider
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health

if TYPE_CHECKING:  # each factory imports its engine module on first use
    from multi_cloud.onprem.costs import OnPremCosts
    from multi_cloud.onprem.events import OnPremEvents
    from multi_cloud.onprem.functions import OnPremFunctions
    from multi_cloud.onprem.language import OnPremLanguage
    from multi_cloud.onprem.models import OnPremModelService
    from multi_cloud.onprem.speech import OnPremSpeech
    from multi_cloud.onprem.storage import LocalObjectStorage
    from multi_cloud.onprem.translation import OnPremTranslation
    from multi_cloud.onprem.vision import OnPremVision


class OnPremProvider(CloudProvider):
    """Everything runs here: a filesystem object store, local training, offline AI engines."""

    name = "onprem"

    def __init__(self, settings: Settings | None = None, *, root: Path | str | None = None) -> None:
        self.settings = settings or get_settings()
        chosen = root or self.settings.onprem.root or self.settings.state_dir / "onprem"
        self.root = Path(chosen)
        self.root.mkdir(parents=True, exist_ok=True)

    def capabilities(self) -> Capabilities:
        """Every capability, each served by engines on this machine."""
        return Capabilities(
            storage=self._storage,
            models=self._models,
            vision=self._vision,
            language=self._language,
            speech=self._speech,
            translation=self._translation,
            functions=self._functions,
            events=self._events,
            costs=self._costs,
        )

    def _storage(self) -> LocalObjectStorage:
        from multi_cloud.onprem.storage import LocalObjectStorage

        return LocalObjectStorage(self.name, self.root / "objects")

    def _models(self) -> OnPremModelService:
        from multi_cloud.onprem.models import OnPremModelService

        return OnPremModelService(self.name, self.root / "models", self.storage)

    def _vision(self) -> OnPremVision:
        from multi_cloud.onprem.vision import OnPremVision

        return OnPremVision(self.name)

    def _language(self) -> OnPremLanguage:
        from multi_cloud.onprem.language import OnPremLanguage

        return OnPremLanguage(self.name)

    def _speech(self) -> OnPremSpeech:
        from multi_cloud.onprem.speech import OnPremSpeech

        return OnPremSpeech(self.name)

    def _translation(self) -> OnPremTranslation:
        from multi_cloud.onprem.translation import OnPremTranslation

        return OnPremTranslation(self.name)

    def _functions(self) -> OnPremFunctions:
        from multi_cloud.onprem.functions import OnPremFunctions

        return OnPremFunctions(self.name, self.root / "functions")

    def _events(self) -> OnPremEvents:
        from multi_cloud.onprem.events import OnPremEvents

        return OnPremEvents(self.name, self.root / "events", self.functions)

    def _costs(self) -> OnPremCosts:
        from multi_cloud.onprem.costs import OnPremCosts

        return OnPremCosts(self.name)

    def health(self) -> Health:
        from multi_cloud.onprem.engines.availability import engine_report

        report = engine_report()
        checks = {name: status.present for name, status in report.items()}
        missing = [f"{name} ({status.install})" for name, status in report.items() if not status.present]
        detail = "all engines present" if not missing else "missing: " + "; ".join(missing)
        return Health(provider=self.name, ok=self.root.is_dir(), detail=detail, checks=checks)
