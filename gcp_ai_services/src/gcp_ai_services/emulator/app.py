"""The Google emulator's WSGI app: every API at its real REST paths on one server, found by path.

The Google clients keep only the host of ``api_endpoint`` and send their own paths (``/v1/images:annotate``,
``/v3/projects/p/locations/l:translateText``...), so the APIs share the root; a method none claims is
``UNIMPLEMENTED`` naming it, and a crashing handler is ``INTERNAL`` at once (never ``UNAVAILABLE``, which the
clients retry for two minutes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from multi_cloud.emulation.http.wsgi_app import EmulatorApp
from multi_cloud.emulation.protocols.google.errors import crashed_answer, unmatched_answer

from gcp_ai_services.emulator.quotas import Quotas
from gcp_ai_services.emulator.run.state import RunState
from gcp_ai_services.emulator.serverless import Serverless
from gcp_ai_services.emulator.tpu.state import TpuState
from gcp_ai_services.emulator.vertex.state import VertexState
from gcp_ai_services.emulator.workflows.state import WorkflowsState


@dataclass
class EmulatorState:
    """What the emulator remembers: quota counts, the serverless resources, Vertex AI's and Cloud TPU's."""

    quotas: Quotas = field(default_factory=Quotas)
    serverless: Serverless = field(default_factory=Serverless)
    vertex: VertexState = field(default_factory=VertexState)
    tpu: TpuState = field(default_factory=TpuState)
    run: RunState = field(default_factory=RunState)
    workflows: WorkflowsState = field(default_factory=WorkflowsState)

    def reset(self) -> None:
        self.quotas.reset()
        self.serverless.reset()
        self.vertex.reset()
        self.tpu.reset()
        self.run.reset()
        self.workflows.reset()

    def close(self) -> None:
        """Stop what runs in the background: push delivery, function workers, revisions, executions."""
        self.serverless.close()
        self.run.close()
        self.workflows.close()


def build_app(state: EmulatorState) -> EmulatorApp:
    from gcp_ai_services.emulator.natural_language import NaturalLanguageAPI
    from gcp_ai_services.emulator.speech import SpeechAPI
    from gcp_ai_services.emulator.text_to_speech import TextToSpeechAPI
    from gcp_ai_services.emulator.tpu.api import tpu_services
    from gcp_ai_services.emulator.translation import TranslationAPI
    from gcp_ai_services.emulator.vertex.api import vertex_services
    from gcp_ai_services.emulator.vision import VisionAPI

    apis = (VisionAPI, NaturalLanguageAPI, TranslationAPI, SpeechAPI, TextToSpeechAPI)
    from gcp_ai_services.emulator.run.api import RunAPI
    from gcp_ai_services.emulator.run.gateway import MOUNT as RUN_MOUNT
    from gcp_ai_services.emulator.run.gateway import RunGateway
    from gcp_ai_services.emulator.run.operations import OwnOperations
    from gcp_ai_services.emulator.workflows.api import WorkflowsAPI

    state.serverless.start()
    return EmulatorApp(
        mounts={**state.serverless.mounts(), RUN_MOUNT: [RunGateway(state.run)]},
        # Cloud TPU's zonal operations; Cloud Run's and Workflows' own operations (each claims only the
        # names it issued); then serverless (its operations claim every /v2/ name), then Vertex's (every /vN)
        services=[
            *(api(state.quotas).routes() for api in apis),
            *tpu_services(state.tpu),
            RunAPI(state.run).routes(),
            OwnOperations(state.run.operations, "v2"),  # before the functions' /v2 operations
            WorkflowsAPI(state.workflows).routes(),
            OwnOperations(state.workflows.operations, "v1"),  # before Vertex AI's /v1 operations
            *state.serverless.services(),
            *vertex_services(state.vertex),
        ],
        unmatched=unmatched_answer,
        crashed=crashed_answer,
    )
