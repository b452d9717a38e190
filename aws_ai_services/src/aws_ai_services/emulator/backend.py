"""AWSAIEmulatorBackend: the local cloud's AWS AI data plane (Rekognition, Comprehend, Polly, Lex...)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any, ClassVar

from multi_cloud.local_cloud.served import ServedBackend

from aws_ai_services.emulator.app import SERVICES


class AWSAIEmulatorBackend(ServedBackend):
    """Serves the AI APIs moto cans or lacks, with answers computed by the on-prem engines.

    It reads S3 objects and SageMaker endpoints from moto, so it joins the local cloud after the built-in
    ``moto`` backend (entry-point backends start after the built-ins).
    """

    name = "aws-ai"
    preferred_port = 5010
    install_hint = "pip install 'cloud-ai-platforms[aws,onprem]'"
    limits: ClassVar[Mapping[str, str]] = {
        "language.entities": "the local emulator has no offline named-entity model (see the fidelity table); "
        "DetectEntities works against AWS with CLOUDAI_MODE=cloud",
    }

    def __init__(self) -> None:
        super().__init__()
        self.state: Any = None

    @classmethod
    def available(cls) -> str | None:
        missing = [m for m in ("boto3", "werkzeug") if importlib.util.find_spec(m) is None]
        if missing:
            return f"{', '.join(missing)} not installed: {cls.install_hint}"
        return None

    def start(self) -> None:
        from multi_cloud.emulation.http.error_shapes import aws_json
        from multi_cloud.emulation.http.json_bodies import JsonBodyCheck
        from multi_cloud.emulation.http.limits import DEFAULT_LIMITS
        from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer

        from aws_ai_services.emulator.app import EmulatorState, build_app

        self.state = EmulatorState()
        # AI payloads are small: Rekognition images ≤ 5 MB (≈ 6.7 MB base64), InvokeEndpoint ≤ 6 MB
        app = JsonBodyCheck(build_app(self.state), aws_json)  # undecodable JSON never reaches a service
        server = ThreadedWSGIServer(app, port=self.choose_port(), limits=DEFAULT_LIMITS, error_shape=aws_json)
        self.serve(server, "the AWS AI emulator")

    def reset(self) -> None:
        if self.state is not None:
            self.state.reset()

    def env(self) -> dict[str, str]:
        """``AWS_ENDPOINT_URL_<SERVICE>`` for each emulated service (prefix included)."""
        return {variable: f"{self.url}{prefix}" for prefix, variable in SERVICES.values()}
