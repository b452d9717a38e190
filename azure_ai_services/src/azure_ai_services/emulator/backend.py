"""AzureEmulatorBackend: the local cloud's Azure endpoint, over HTTPS with a local CA."""

from __future__ import annotations

import importlib.util
import secrets
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from multi_cloud.local_cloud.backend import Backend

from azure_ai_services.emulator.identity import TOKEN_PATH
from azure_ai_services.emulator.metadata import METADATA_PATH


class AzureEmulatorBackend(Backend):
    """ARM metadata, the managed-identity endpoint and the Azure AI services on one loopback HTTPS port.

    waitress serves the app on a private plain port; a TLS front (certificate from the local CA in the
    state directory) is the only address exported. ``env()`` gives what the SDKs read:
    ``CLOUDAI_AZURE_ENDPOINT``, ``ARM_CLOUD_METADATA_URL``, ``IDENTITY_ENDPOINT``/``IDENTITY_HEADER``
    (DefaultAzureCredential's managed identity), the AI services endpoint and key, and the CA bundle
    (certifi's roots + the local CA) as ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE``.
    """

    name = "azure"
    preferred_port = 5030
    install_hint = "pip install 'cloud-ai-platforms[azure,onprem]'"
    limits: ClassVar[Mapping[str, str]] = {
        "speech.dictate": "the local emulator recognises only listed phrases (pocketsphinx grammar): free "
        "dictation is unusable offline; transcribe(audio, phrases=[...]) works, and dictation works against "
        "Azure with CLOUDAI_MODE=cloud",
        "language.entities": "the local emulator has no offline named-entity model; recognize_entities works "
        "against Azure with CLOUDAI_MODE=cloud",
    }

    def __init__(self) -> None:
        super().__init__()
        self._server: Any = None
        self._front: Any = None
        self._tls: Any = None
        self.state: Any = None
        self.secrets: Any = None

    @classmethod
    def available(cls) -> str | None:
        missing = [m for m in ("werkzeug", "cryptography", "certifi") if importlib.util.find_spec(m) is None]
        if missing:
            return f"{', '.join(missing)} not installed: {cls.install_hint}"
        return None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        from multi_cloud.core.settings import get_settings
        from multi_cloud.emulation.http.error_shapes import azure_json
        from multi_cloud.emulation.http.limits import DEFAULT_LIMITS
        from multi_cloud.emulation.http.local_ca import ensure_local_tls
        from multi_cloud.emulation.http.ports import wait_for_port
        from multi_cloud.emulation.http.tls_front import HttpsScheme, TlsFront
        from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer

        from azure_ai_services.emulator.app import EmulatorSecrets, EmulatorState, build_app

        self._tls = ensure_local_tls(Path(get_settings().state_dir) / "tls")
        self.state = EmulatorState()
        self.state.azure_ml.use_tls(self._tls.server_cert, self._tls.server_key)
        self.state.databricks.ca_bundle = str(self._tls.bundle)
        self.secrets = EmulatorSecrets(secrets.token_hex(16), secrets.token_hex(16))
        app = HttpsScheme(build_app(self.state, self.secrets))
        self._server = ThreadedWSGIServer(app, port=None, limits=DEFAULT_LIMITS, error_shape=azure_json)
        self._server.start()
        self._front = TlsFront(
            self._server.port, self._tls.server_cert, self._tls.server_key, port=self.choose_port()
        )
        self._front.start()
        self.port = self._front.port
        if not (wait_for_port(self._server.port) and wait_for_port(self.port)):
            self.stop()
            raise RuntimeError(f"the Azure emulator did not start on port {self.port}")

    def stop(self) -> None:
        if self.state is not None:
            self.state.close()
        if self._front is not None:
            self._front.stop()
            self._front = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def reset(self) -> None:
        if self.state is not None:
            self.state.reset()

    def healthy(self, timeout: float = 2.0) -> bool:
        """True when the HTTPS endpoint answers, verified against the local CA."""
        if self._tls is None:
            return False
        context = ssl.create_default_context(cafile=str(self._tls.ca_cert))
        try:
            urllib.request.urlopen(self.url, timeout=timeout, context=context)  # noqa: S310 - loopback
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def env(self) -> dict[str, str]:
        bundle = str(self._tls.bundle) if self._tls is not None else ""
        return {
            "CLOUDAI_AZURE_ENDPOINT": self.url,
            "ARM_CLOUD_METADATA_URL": f"{self.url}{METADATA_PATH}?api-version=2019-05-01",
            "IDENTITY_ENDPOINT": f"{self.url}{TOKEN_PATH}",
            "IDENTITY_HEADER": self.secrets.identity_header if self.secrets else "",
            "AZURE_AI_SERVICES_ENDPOINT": self.url,
            "AZURE_AI_SERVICES_KEY": self.secrets.ai_services_key if self.secrets else "",
            # the local vault: Key Vault IDs are https://host/secrets/name/version, so it is the root
            "AZURE_KEYVAULT_URL": self.url,
            # the Databricks workspace (WorkspaceClient() and MLflow's tracking URI) and its access token
            "DATABRICKS_HOST": f"{self.url}/databricks/adb-local",
            "DATABRICKS_TOKEN": self.state.databricks.token if self.state else "",
            "REQUESTS_CA_BUNDLE": bundle,
            "SSL_CERT_FILE": bundle,
        }
