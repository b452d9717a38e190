"""Event Grid in the emulator: topics, their subscriptions and the dispatcher that delivers events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from azure_ai_services.emulator.event_grid.delivery import Dispatcher
from azure_ai_services.emulator.event_grid.topics import Topics

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.functions.service import AzureFunctions


class EventGrid:
    def __init__(self, functions: AzureFunctions | None = None) -> None:
        self.topics = Topics()
        self.dispatcher = Dispatcher(functions)

    def reset(self) -> None:
        self.topics.reset()

    def close(self) -> None:
        self.dispatcher.close()
