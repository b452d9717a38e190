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
from gcp_ai_services.emulator.serverless import Serverless
from gcp_ai_services.emulator.tpu.state import TpuState
from gcp_ai_services.emulator.vertex.state import VertexState


@dataclass
class EmulatorState:
    """What the emulator remembers: quota counts, the serverless resources, Vertex AI's and Cloud TPU's."""

    quotas: Quotas = field(default_factory=Quotas)
    serverless: Serverless = field(default_factory=Serverless)
    vertex: VertexState = field(default_factory=VertexState)
    tpu: TpuState = field(default_factory=TpuState)

    def reset(self) -> None:
        self.quotas.reset()
        self.serverless.reset()
        self.vertex.reset()
        self.tpu.reset()


def build_app(state: EmulatorState) -> EmulatorApp:
    from gcp_ai_services.emulator.natural_language import NaturalLanguageAPI
    from gcp_ai_services.emulator.speech import SpeechAPI
    from gcp_ai_services.emulator.text_to_speech import TextToSpeechAPI
    from gcp_ai_services.emulator.tpu.api import tpu_services
    from gcp_ai_services.emulator.translation import TranslationAPI
    from gcp_ai_services.emulator.vertex.api import vertex_services
    from gcp_ai_services.emulator.vision import VisionAPI

    apis = (VisionAPI, NaturalLanguageAPI, TranslationAPI, SpeechAPI, TextToSpeechAPI)
    state.serverless.start()
    return EmulatorApp(
        mounts=state.serverless.mounts(),
        # Cloud TPU's zonal operations, then serverless (its operations claim every /v2/ name), then Vertex's
        # (every /vN one)
        services=[
            *(api(state.quotas).routes() for api in apis),
            *tpu_services(state.tpu),
            *state.serverless.services(),
            *vertex_services(state.vertex),
        ],
        unmatched=unmatched_answer,
        crashed=crashed_answer,
    )
