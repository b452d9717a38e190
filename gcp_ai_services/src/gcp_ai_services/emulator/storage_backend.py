"""GCSEmulatorBackend: Cloud Storage for the local cloud, gcp-storage-emulator run in this process.

``google-cloud-storage`` finds it through ``STORAGE_EMULATOR_HOST``. It serves from memory behind the local
cloud's loopback guard (:mod:`.storage_server`), so a stop forgets everything; ``reset`` wipes buckets and
objects between tests.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from multi_cloud.local_cloud.served import ServedBackend

STORAGE_VARIABLE = "STORAGE_EMULATOR_HOST"


class GCSEmulatorBackend(ServedBackend):
    name = "gcs"
    preferred_port = 5021
    install_hint = "pip install 'cloud-ai-platforms[gcp]'"

    _storage: Any = None

    @classmethod
    def available(cls) -> str | None:
        if importlib.util.find_spec("gcp_storage_emulator") is None:
            return f"gcp-storage-emulator is not installed: {cls.install_hint}"
        return None

    def start(self) -> None:
        import logging

        from multi_cloud.emulation.http.ports import LOOPBACK, bind_or_any

        from gcp_ai_services.emulator import storage_events
        from gcp_ai_services.emulator.storage_server import StorageServer

        logging.getLogger("gcp_storage_emulator").setLevel(logging.CRITICAL)  # it logs every 404 as an error
        self._storage = bind_or_any(lambda port: StorageServer(LOOPBACK, port), self.choose_port())
        storage_events.watch(self._storage.storage)  # object writes reach the Cloud Functions triggers
        self.serve(self._storage, "gcp-storage-emulator")

    def reset(self) -> None:
        if self._server is not None:
            self._storage.wipe()

    def env(self) -> dict[str, str]:
        return {STORAGE_VARIABLE: self.url}
