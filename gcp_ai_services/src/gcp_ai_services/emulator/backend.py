"""GCPEmulatorBackend: the local cloud's Google AI APIs (Vision, Language, Translation, Speech, TTS)."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any, ClassVar

from multi_cloud.local_cloud.served import ServedBackend

ENDPOINT_VARIABLE = "CLOUDAI_GCP_ENDPOINT"
#: Vision's JSON request limit is 10 MB; a 20 MB image therefore goes by URI. Headroom for base64 + JSON.
MAX_REQUEST_BYTES = 28 * 1024 * 1024


class GCPEmulatorBackend(ServedBackend):
    """One loopback server for every emulated Google API; clients find it through ``CLOUDAI_GCP_ENDPOINT``."""

    name = "gcp"
    preferred_port = 5020
    install_hint = "pip install 'cloud-ai-platforms[gcp,onprem]'"
    limits: ClassVar[Mapping[str, str]] = {
        "language.entities": "the local emulator has no offline named-entity model (see the fidelity table); "
        "analyzeEntities works against Google Cloud with CLOUDAI_MODE=cloud",
        "speech.dictate": "the local emulator recognises only given phrases (pocketsphinx's dictation is "
        "unusable); free recognition works against Google Cloud with CLOUDAI_MODE=cloud",
    }

    def __init__(self) -> None:
        super().__init__()
        self.state: Any = None

    @classmethod
    def available(cls) -> str | None:
        if importlib.util.find_spec("werkzeug") is None:
            return f"werkzeug not installed: {cls.install_hint}"
        return None

    def start(self) -> None:
        from multi_cloud.emulation.http.error_shapes import google_json
        from multi_cloud.emulation.http.limits import DEFAULT_LIMITS
        from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer

        from gcp_ai_services.emulator.app import EmulatorState, build_app

        self.state = EmulatorState()
        server = ThreadedWSGIServer(
            build_app(self.state),
            port=self.choose_port(),
            limits=DEFAULT_LIMITS.but(max_body_bytes=MAX_REQUEST_BYTES),
            error_shape=google_json,
        )
        self.serve(server, "the Google emulator")

    def reset(self) -> None:
        if self.state is not None:
            self.state.reset()

    def stop(self) -> None:
        super().stop()
        if self.state is not None:
            self.state.close()  # push delivery, triggers, function workers, Cloud Run revisions, executions

    def env(self) -> dict[str, str]:
        return {ENDPOINT_VARIABLE: self.url}
