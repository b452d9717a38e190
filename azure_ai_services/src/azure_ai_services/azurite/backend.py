"""AzuriteBackend: Blob and Queue storage for the local cloud (``AZURE_STORAGE_CONNECTION_STRING``)."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from multi_cloud.local_cloud.backend import Backend

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.azurite.processes import AzuriteProcess

#: Azurite's well-known development account (documented by Microsoft; not a secret)
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="  # noqa: S105


def connection_string(blob_port: int, queue_port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{blob_port}/{ACCOUNT};"
        f"QueueEndpoint=http://127.0.0.1:{queue_port}/{ACCOUNT};"
    )


class AzuriteBackend(Backend):
    """``azurite-blob`` and ``azurite-queue`` (pinned, user cache) on free loopback ports, in memory."""

    name = "azurite"
    install_hint = "pip install 'cloud-ai-platforms[azure]', then: cloudai local install azurite"

    def __init__(self) -> None:
        super().__init__()
        self.blob_port = 0
        self.queue_port = 0
        self._processes: list[AzuriteProcess] = []
        self._workdir: Path | None = None

    @classmethod
    def available(cls) -> str | None:
        from azure_ai_services.azurite.install import AZURITE_VERSION, INSTALL_COMMAND, installed

        if importlib.util.find_spec("azure.storage.blob") is None:
            return f"azure-storage-blob is not installed: {cls.install_hint}"
        if not installed():
            return f"Azurite {AZURITE_VERSION} is not installed; install it once with: {INSTALL_COMMAND}"
        return None

    def start(self) -> None:
        from azure_ai_services.azurite.install import azurite_home, require_installed, service_script
        from azure_ai_services.azurite.node import find_node
        from azure_ai_services.azurite.processes import AzuriteProcess

        require_installed()
        runtime = find_node()
        self._workdir = Path(tempfile.mkdtemp(prefix="cloudai-azurite-"))
        cache = azurite_home() / ".node-compile-cache"
        blob = AzuriteProcess(runtime, service_script("blob"), "blob", self._workdir, cache)
        queue = AzuriteProcess(runtime, service_script("queue"), "queue", self._workdir, cache)
        self._processes = [blob, queue]
        try:  # both start at once; each reports the port it bound
            self.blob_port = blob.wait_listening()
            self.queue_port = queue.wait_listening()
        except BaseException:
            self.stop()
            raise
        self.port = self.blob_port

    def stop(self) -> None:
        for process in self._processes:
            process.stop()
        self._processes = []
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def reset(self) -> None:
        """Delete every container and queue (Azurite has no reset call; its in-memory state goes this way)."""
        if not self.blob_port:
            return
        from azure.storage.blob import BlobServiceClient
        from azure.storage.queue import QueueServiceClient

        text = connection_string(self.blob_port, self.queue_port)
        blobs = BlobServiceClient.from_connection_string(text)
        for container in blobs.list_containers():
            blobs.delete_container(container.name)
        queues = QueueServiceClient.from_connection_string(text)
        for queue in queues.list_queues():
            queues.delete_queue(queue.name)

    def env(self) -> dict[str, str]:
        return {"AZURE_STORAGE_CONNECTION_STRING": connection_string(self.blob_port, self.queue_port)}
