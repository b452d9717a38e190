"""The Azure emulator's WSGI app: metadata, managed identity and the key-checked Azure AI services."""

from __future__ import annotations

from dataclasses import dataclass, field

from multi_cloud.emulation.http.wsgi_app import EmulatorApp, Service
from multi_cloud.emulation.protocols.azure.errors import crashed_answer, unmatched_answer

from azure_ai_services.emulator.azure_ml.workspace import AzureML
from azure_ai_services.emulator.computer_vision import ComputerVision


@dataclass
class EmulatorSecrets:
    """Made fresh at each start and exported: the resource key and the managed-identity header."""

    ai_services_key: str
    identity_header: str


@dataclass
class EmulatorState:
    """What the emulator remembers: Read operations and Azure ML (the other APIs are stateless)."""

    vision: ComputerVision = field(default_factory=ComputerVision)
    azure_ml: AzureML = field(default_factory=AzureML)

    def reset(self) -> None:
        self.vision.reads.reset()
        self.azure_ml.reset()


def build_app(state: EmulatorState, secrets: EmulatorSecrets) -> EmulatorApp:
    from multi_cloud.emulation.protocols.azure.operations import AsyncOperationsService

    from azure_ai_services.emulator import image_analysis, metadata
    from azure_ai_services.emulator.azure_ml import history
    from azure_ai_services.emulator.azure_ml.batch_routes import invoke_routes
    from azure_ai_services.emulator.azure_ml.online_routes import scoring_routes
    from azure_ai_services.emulator.azure_ml.routes import routes as azure_ml_routes
    from azure_ai_services.emulator.azure_ml.tracking import Tracking
    from azure_ai_services.emulator.identity import ManagedIdentity
    from azure_ai_services.emulator.keys import KeyChecked
    from azure_ai_services.emulator.language import Language
    from azure_ai_services.emulator.speech import Speech
    from azure_ai_services.emulator.translator import Translator

    ai_services: list[Service] = [
        state.vision.routes(),
        image_analysis.routes(),
        Language().routes(),
        Translator().routes(),
        *Speech().routes(),
    ]
    services: list[Service] = [
        metadata.routes(),
        ManagedIdentity(secrets.identity_header).routes(),
        azure_ml_routes(state.azure_ml),
        AsyncOperationsService(state.azure_ml.online.operations),
        scoring_routes(state.azure_ml.online),
        invoke_routes(state.azure_ml.batch),
        history.routes(state.azure_ml),
        Tracking(state.azure_ml).routes(),
        *(KeyChecked(service, secrets.ai_services_key) for service in ai_services),
    ]
    return EmulatorApp(services=services, unmatched=unmatched_answer, crashed=crashed_answer)
