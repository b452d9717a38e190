"""The Azure emulator's WSGI app: metadata, managed identity and the key-checked Azure AI services."""

from __future__ import annotations

from dataclasses import dataclass, field

from multi_cloud.emulation.http.wsgi_app import EmulatorApp, Service
from multi_cloud.emulation.protocols.azure.errors import crashed_answer, unmatched_answer

from azure_ai_services.emulator.arm.state import ArmState
from azure_ai_services.emulator.azure_ml.workspace import AzureML
from azure_ai_services.emulator.computer_vision import ComputerVision
from azure_ai_services.emulator.container_instances.service import ContainerInstances
from azure_ai_services.emulator.content_safety.blocklists import Blocklists
from azure_ai_services.emulator.conversations.projects import ConversationProjects
from azure_ai_services.emulator.databricks.workspace import Workspace as DatabricksWorkspace
from azure_ai_services.emulator.event_grid.service import EventGrid
from azure_ai_services.emulator.functions.service import AzureFunctions
from azure_ai_services.emulator.key_vault.vault import Vault
from azure_ai_services.emulator.logic_apps.service import LogicApps


@dataclass
class EmulatorSecrets:
    """Made fresh at each start and exported: the resource key and the managed-identity header."""

    ai_services_key: str
    identity_header: str


@dataclass
class EmulatorState:
    """What the emulator remembers: Read operations, Azure ML, the vault, CLU, blocklists, serverless, ACI,
    ARM, Databricks."""

    vision: ComputerVision = field(default_factory=ComputerVision)
    azure_ml: AzureML = field(default_factory=AzureML)
    key_vault: Vault = field(default_factory=Vault)
    conversations: ConversationProjects = field(default_factory=ConversationProjects)
    blocklists: Blocklists = field(default_factory=Blocklists)
    functions: AzureFunctions = field(default_factory=AzureFunctions)
    event_grid: EventGrid = field(init=False)
    logic_apps: LogicApps = field(default_factory=LogicApps)
    container_instances: ContainerInstances = field(default_factory=ContainerInstances)
    arm: ArmState = field(default_factory=ArmState)
    databricks: DatabricksWorkspace = field(default_factory=DatabricksWorkspace)

    def __post_init__(self) -> None:
        self.event_grid = EventGrid(self.functions)

    def reset(self) -> None:
        self.vision.reads.reset()
        self.azure_ml.reset()
        self.key_vault.reset()
        self.conversations.reset()
        self.blocklists.reset()
        self.functions.reset()
        self.event_grid.reset()
        self.logic_apps.reset()
        self.container_instances.reset()
        self.arm.reset()
        self.databricks.reset()

    def close(self) -> None:
        self.azure_ml.close()
        self.event_grid.close()
        self.logic_apps.close()
        self.functions.close()
        self.container_instances.close()
        self.databricks.close()


def build_app(state: EmulatorState, secrets: EmulatorSecrets) -> EmulatorApp:
    from multi_cloud.emulation.protocols.azure.operations import AsyncOperationsService

    from azure_ai_services.emulator import image_analysis, metadata
    from azure_ai_services.emulator.arm import cost_management, deployments, resource_groups
    from azure_ai_services.emulator.arm.dispatch import Dispatcher
    from azure_ai_services.emulator.arm.generic import GenericResources
    from azure_ai_services.emulator.arm.runner import DeploymentRunner
    from azure_ai_services.emulator.arm.usage import UsageMeter
    from azure_ai_services.emulator.azure_ml import history
    from azure_ai_services.emulator.azure_ml.batch_routes import invoke_routes
    from azure_ai_services.emulator.azure_ml.online_routes import scoring_routes
    from azure_ai_services.emulator.azure_ml.routes import routes as azure_ml_routes
    from azure_ai_services.emulator.azure_ml.tracking import Tracking
    from azure_ai_services.emulator.container_instances import arm as container_instances_arm
    from azure_ai_services.emulator.content_safety.routes import ContentSafety
    from azure_ai_services.emulator.conversations.routes import Conversations
    from azure_ai_services.emulator.databricks.api import MOUNT as DATABRICKS_MOUNT
    from azure_ai_services.emulator.databricks.api import DatabricksAPI
    from azure_ai_services.emulator.event_grid import arm as event_grid_arm
    from azure_ai_services.emulator.event_grid.publish import TopicEndpoint
    from azure_ai_services.emulator.event_grid.topics import MOUNT as EVENT_GRID_MOUNT
    from azure_ai_services.emulator.functions import arm as functions_arm
    from azure_ai_services.emulator.functions.gateway import SiteGateway
    from azure_ai_services.emulator.functions.kudu import Kudu
    from azure_ai_services.emulator.functions.sites import SCM_MOUNT, SITES_MOUNT
    from azure_ai_services.emulator.identity import ManagedIdentity
    from azure_ai_services.emulator.key_vault.keys_api import KeysAPI
    from azure_ai_services.emulator.key_vault.secrets_api import SecretsAPI
    from azure_ai_services.emulator.keys import KeyChecked
    from azure_ai_services.emulator.language import Language
    from azure_ai_services.emulator.logic_apps import arm as logic_apps_arm
    from azure_ai_services.emulator.logic_apps.request_trigger import TriggerEndpoint
    from azure_ai_services.emulator.logic_apps.workflows import MOUNT as LOGIC_APPS_MOUNT
    from azure_ai_services.emulator.speech import Speech
    from azure_ai_services.emulator.translator import Translator

    ai_services: list[Service] = [
        state.vision.routes(),
        image_analysis.routes(),
        Language().routes(),
        Translator().routes(),
        *Speech().routes(),
        Conversations(state.conversations).routes(),
        ContentSafety(state.blocklists).routes(),
    ]
    dispatcher = Dispatcher(state.arm, state.key_vault)
    runner = DeploymentRunner(state.arm, dispatcher)
    services: list[Service] = [
        GenericResources(state.arm),
        metadata.routes(),
        resource_groups.routes(state.arm, runner),
        deployments.routes(state.arm, runner),
        deployments.DeploymentOperations(state.arm.operations),
        cost_management.routes(UsageMeter(state)),
        ManagedIdentity(secrets.identity_header).routes(),
        azure_ml_routes(state.azure_ml),
        AsyncOperationsService(state.container_instances.operations, fallback=False),
        AsyncOperationsService(state.azure_ml.online.operations),
        scoring_routes(state.azure_ml.online),
        invoke_routes(state.azure_ml.batch),
        history.routes(state.azure_ml),
        Tracking(state.azure_ml).routes(),
        SecretsAPI(state.key_vault).routes(),
        KeysAPI(state.key_vault).routes(),
        functions_arm.routes(state.functions),
        event_grid_arm.routes(state.event_grid),
        logic_apps_arm.routes(state.logic_apps.workflows),
        container_instances_arm.routes(state.container_instances),
        *(KeyChecked(service, secrets.ai_services_key) for service in ai_services),
    ]
    mounts: dict[str, list[Service]] = {
        SITES_MOUNT: [SiteGateway(state.functions)],
        SCM_MOUNT: [Kudu(state.functions)],
        EVENT_GRID_MOUNT: [TopicEndpoint(state.event_grid)],
        LOGIC_APPS_MOUNT: [TriggerEndpoint(state.logic_apps.workflows)],
        DATABRICKS_MOUNT: [DatabricksAPI(state.databricks)],
    }
    app = EmulatorApp(services=services, mounts=mounts, unmatched=unmatched_answer, crashed=crashed_answer)
    dispatcher.app = app  # deployments create resources through the app's own handlers
    return app
