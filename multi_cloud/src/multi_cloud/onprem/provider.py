"""OnPremProvider: composes the on-premises capability services over one root directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Health


class OnPremProvider(CloudProvider):
    """Everything runs here: a filesystem object store, local training, offline AI engines."""

    name = "onprem"

    def __init__(self, settings: Settings | None = None, *, root: Path | str | None = None) -> None:
        self.settings = settings or get_settings()
        chosen = root or self.settings.onprem.root or self.settings.state_dir / "onprem"
        self.root = Path(chosen)
        self.root.mkdir(parents=True, exist_ok=True)

    def _make_storage(self) -> Any:
        from multi_cloud.onprem.storage import LocalObjectStorage

        return LocalObjectStorage(self.name, self.root / "objects")

    def _make_models(self) -> Any:
        from multi_cloud.onprem.models import OnPremModelService

        return OnPremModelService(self.name, self.root / "models", self.storage)

    def _make_vision(self) -> Any:
        from multi_cloud.onprem.vision import OnPremVision

        return OnPremVision(self.name)

    def _make_language(self) -> Any:
        from multi_cloud.onprem.language import OnPremLanguage

        return OnPremLanguage(self.name)

    def _make_speech(self) -> Any:
        from multi_cloud.onprem.speech import OnPremSpeech

        return OnPremSpeech(self.name)

    def _make_translation(self) -> Any:
        from multi_cloud.onprem.translation import OnPremTranslation

        return OnPremTranslation(self.name)

    def _make_functions(self) -> Any:
        from multi_cloud.onprem.functions import OnPremFunctions

        return OnPremFunctions(self.name, self.root / "functions")

    def _make_events(self) -> Any:
        from multi_cloud.onprem.events import OnPremEvents

        return OnPremEvents(self.name, self.root / "events", self.functions)

    def _make_costs(self) -> Any:
        from multi_cloud.onprem.costs import OnPremCosts

        return OnPremCosts(self.name)

    def health(self) -> Health:
        from multi_cloud.onprem.engines import engine_report

        report = engine_report()
        checks = {name: status.present for name, status in report.items()}
        missing = [f"{name} ({status.install})" for name, status in report.items() if not status.present]
        detail = "all engines present" if not missing else "missing: " + "; ".join(missing)
        return Health(provider=self.name, ok=self.root.is_dir(), detail=detail, checks=checks)
