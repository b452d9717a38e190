"""The workspace's blob store: Azurite, reached by the SDK over HTTPS through a TLS front.

azure-ai-ml builds a datastore's URL by hand as ``https://{accountName}.blob.{storage suffix}``. The
datastore's ``accountName`` is therefore ``127.0.0.1:{front}/{account}#``: the URL's host is the loopback
TLS front (local CA) relaying to Azurite, its path names Azurite's account, and the suffix lands in the
fragment — nothing built from it can reach a real storage account.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

CONNECTION_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"


def _parts(connection: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in connection.split(";") if "=" in part)


@dataclass
class BlobStore:
    """Azurite's account, key and blob port (from ``AZURE_STORAGE_CONNECTION_STRING``) and its TLS front."""

    cert_file: Path | None = None
    key_file: Path | None = None
    _front: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def connection_string(self) -> str:
        connection = os.environ.get(CONNECTION_VARIABLE, "")
        if "BlobEndpoint=" not in connection:
            raise AzureError(
                503,
                "ServiceUnavailable",
                f"no Azurite in this local cloud ({CONNECTION_VARIABLE} is not set)",
            )
        return connection

    @property
    def account(self) -> str:
        return _parts(self.connection_string())["AccountName"]

    @property
    def key(self) -> str:
        return _parts(self.connection_string())["AccountKey"]

    def blob_endpoint(self) -> str:
        """Azurite's blob URL (``http://127.0.0.1:{port}/{account}``) from the connection string."""
        return _parts(self.connection_string())["BlobEndpoint"]

    def sdk_account_name(self) -> str:
        """The datastore ``accountName`` that makes the SDK's hand-built URL land in Azurite."""
        return f"127.0.0.1:{self.front_port()}/{self.account}#"

    def front_port(self) -> int:
        from multi_cloud.emulation.http.tls_front import TlsFront

        endpoint = _parts(self.connection_string())["BlobEndpoint"]
        port = int(endpoint.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        with self._lock:
            if self._front is not None and self._front.target_port != port:
                self._front.stop()
                self._front = None
            if self._front is None:
                if self.cert_file is None or self.key_file is None:
                    raise AzureError(503, "ServiceUnavailable", "the emulator has no TLS certificate")
                self._front = TlsFront(port, self.cert_file, self.key_file)
                self._front.start()
            return int(self._front.port)

    def container(self, name: str) -> Any:
        """A server-side ``ContainerClient`` for ``name`` (created when missing)."""
        from azure.core.exceptions import ResourceExistsError
        from azure.storage.blob import BlobServiceClient

        client = BlobServiceClient.from_connection_string(self.connection_string()).get_container_client(name)
        try:
            client.create_container()
        except ResourceExistsError:
            pass
        return client

    def sas(self, container: str, hours: int = 8) -> str:
        """A container SAS (read, add, create, write, list) signed with Azurite's key."""
        from datetime import datetime, timedelta, timezone

        from azure.storage.blob import ContainerSasPermissions, generate_container_sas

        permission = ContainerSasPermissions(read=True, add=True, create=True, write=True, list=True)
        expiry = datetime.now(timezone.utc) + timedelta(hours=hours)
        return str(
            generate_container_sas(self.account, container, self.key, permission=permission, expiry=expiry)
        )

    def blob_url(self, container: str, name: str) -> str:
        """A signed HTTPS URL (through the TLS front) to read one blob."""
        return (
            f"https://127.0.0.1:{self.front_port()}/{self.account}/{container}/{name}?{self.sas(container)}"
        )

    def close(self) -> None:
        with self._lock:
            if self._front is not None:
                self._front.stop()
                self._front = None


def download_prefix(container: Any, prefix: str, target: Path) -> int:
    """Copy every blob under ``prefix`` into ``target`` (relative paths kept); how many there were."""
    count = 0
    prefix = prefix.strip("/")
    for blob in container.list_blobs(name_starts_with=prefix):
        relative = blob.name[len(prefix) :].lstrip("/") or Path(blob.name).name
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(container.download_blob(blob.name).readall())
        count += 1
    return count


def upload_tree(container: Any, source: Path, prefix: str) -> int:
    """Upload every file under ``source`` as ``prefix/relative``; how many there were."""
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = f"{prefix.strip('/')}/{path.relative_to(source).as_posix()}"
        with path.open("rb") as data:
            container.upload_blob(name, data, overwrite=True)
        count += 1
    return count
