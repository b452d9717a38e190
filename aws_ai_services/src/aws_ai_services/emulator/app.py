"""The AWS AI emulator's WSGI app: each service mounted under its own path prefix, plus root dispatch.

Each SDK finds its service through ``AWS_ENDPOINT_URL_<SERVICE ID>`` = ``http://127.0.0.1:PORT/<prefix>``
(botocore keeps an endpoint's path). Requests sent to the root are still dispatched: JSON services by
``X-Amz-Target``, REST services by path and SigV4 signing name (Lex's runtime and model paths differ in case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.http.wsgi_app import EmulatorApp
from multi_cloud.emulation.protocols.aws.routing import AwsService, crashed_answer, unmatched_answer

from aws_ai_services.emulator.control_plane import ControlPlane

#: botocore service name -> (mount prefix, the variable botocore reads: AWS_ENDPOINT_URL_<service id>)
SERVICES: dict[str, tuple[str, str]] = {
    "rekognition": ("/rekognition", "AWS_ENDPOINT_URL_REKOGNITION"),
    "comprehend": ("/comprehend", "AWS_ENDPOINT_URL_COMPREHEND"),
    "polly": ("/polly", "AWS_ENDPOINT_URL_POLLY"),
    "lexv2-models": ("/lex-models-v2", "AWS_ENDPOINT_URL_LEX_MODELS_V2"),
    "lexv2-runtime": ("/lex-runtime-v2", "AWS_ENDPOINT_URL_LEX_RUNTIME_V2"),
    "sagemaker-runtime": ("/sagemaker-runtime", "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"),
}


@dataclass
class EmulatorState:
    """Everything the emulator remembers: Lex bots and sessions (the other services are stateless)."""

    control_plane: ControlPlane = field(default_factory=ControlPlane)
    lex: Any = None

    def __post_init__(self) -> None:
        from aws_ai_services.emulator.lex.models import LexStore

        self.lex = self.lex or LexStore()

    def reset(self) -> None:
        self.lex.reset()


def responders(state: EmulatorState) -> dict[str, Any]:
    from aws_ai_services.emulator.comprehend import ComprehendResponses
    from aws_ai_services.emulator.lex.models_responses import LexModelsResponses
    from aws_ai_services.emulator.lex.runtime_responses import LexRuntimeResponses
    from aws_ai_services.emulator.polly import PollyResponses
    from aws_ai_services.emulator.rekognition import RekognitionResponses
    from aws_ai_services.emulator.sagemaker_runtime import SageMakerRuntimeResponses

    return {
        "rekognition": RekognitionResponses(state.control_plane),
        "comprehend": ComprehendResponses(),
        "polly": PollyResponses(),
        "lexv2-models": LexModelsResponses(state.lex),
        "lexv2-runtime": LexRuntimeResponses(state.lex),
        "sagemaker-runtime": SageMakerRuntimeResponses(state.control_plane),
    }


def build_app(state: EmulatorState) -> EmulatorApp:
    services = {name: AwsService(responder) for name, responder in responders(state).items()}
    return EmulatorApp(
        mounts={SERVICES[name][0]: [service] for name, service in services.items()},
        services=list(services.values()),
        unmatched=unmatched_answer({name: prefix for name, (prefix, _var) in SERVICES.items()}),
        crashed=crashed_answer,
    )
