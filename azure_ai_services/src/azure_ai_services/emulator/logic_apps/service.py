"""Logic Apps in the emulator: the workflows and their runs."""

from __future__ import annotations

from azure_ai_services.emulator.logic_apps.workflows import Workflows


class LogicApps:
    def __init__(self) -> None:
        self.workflows = Workflows()

    def reset(self) -> None:
        self.workflows.reset()

    def close(self) -> None:
        self.workflows.reset()
