"""BlobStorage: Azure Blob Storage (Azurite locally) as the object-storage capability."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from multi_cloud.core.base import ObjectStorage
from multi_cloud.core.errors import AlreadyExists, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Bucket, ObjectInfo

from azure_ai_services.clients import blob_service
from azure_ai_services.errors import azure_errors

if TYPE_CHECKING:  # pragma: no cover
    from azure.storage.blob import BlobServiceClient


class BlobStorage(ObjectStorage):
    """``BlobServiceClient`` from ``AZURE_STORAGE_CONNECTION_STRING``.

    ``ObjectInfo.etag`` is the blob's Content-MD5 in hex when the service computed one (single-shot
    uploads), as S3's ETag is; Azure's own ETag is an opaque version stamp.
    """

    def __init__(self, provider: str, settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    @cached_property
    def client(self) -> BlobServiceClient:
        return blob_service(self.settings)

    def create_bucket(self, bucket: str) -> Bucket:
        with azure_errors("storage.create_bucket"):
            container = self.client.create_container(bucket)
            properties = container.get_container_properties()
        return Bucket(name=bucket, created=properties.last_modified)

    def delete_bucket(self, bucket: str, *, force: bool = False) -> None:
        """Azure deletes a container with its blobs; without ``force`` a non-empty one is refused here."""
        with azure_errors("storage.delete_bucket"):
            container = self.client.get_container_client(bucket)
            if not force and next(iter(container.list_blobs(results_per_page=1)), None) is not None:
                raise AlreadyExists(
                    f"container {bucket!r} is not empty; delete its blobs first or pass force=True",
                    code="ContainerNotEmpty",
                )
            container.delete_container()

    def list_buckets(self) -> list[Bucket]:
        with azure_errors("storage.list_buckets"):
            return [Bucket(name=c.name, created=c.last_modified) for c in self.client.list_containers()]

    def put_object(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        from azure.storage.blob import ContentSettings

        if not key:
            raise InvalidArgument("a blob name is required", provider=self.provider)
        with azure_errors("storage.put_object"):
            blob = self.client.get_blob_client(bucket, key)
            blob.upload_blob(
                data,
                overwrite=True,
                content_settings=ContentSettings(content_type=content_type),
                metadata=dict(metadata or {}),
            )
            return self._info(bucket, key, blob.get_blob_properties())

    def get_object(self, bucket: str, key: str) -> bytes:
        with azure_errors("storage.get_object"):
            return bytes(self.client.get_blob_client(bucket, key).download_blob().readall())

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        with azure_errors("storage.head_object"):
            return self._info(bucket, key, self.client.get_blob_client(bucket, key).get_blob_properties())

    def list_objects(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        with azure_errors("storage.list_objects"):
            container = self.client.get_container_client(bucket)
            pages = container.list_blobs(
                name_starts_with=prefix or None, results_per_page=page_size
            ).by_page()
            for page in pages:
                for blob in page:
                    yield self._info(bucket, blob.name, blob)

    def delete_object(self, bucket: str, key: str) -> None:
        with azure_errors("storage.delete_object"):
            self.client.get_blob_client(bucket, key).delete_blob()

    def uri(self, bucket: str, key: str = "") -> str:
        """The blob's URL (``https://<account>.blob.core.windows.net/<container>/<blob>`` in the cloud)."""
        if key:
            return str(self.client.get_blob_client(bucket, key).url)
        return str(self.client.get_container_client(bucket).url)

    @staticmethod
    def _info(bucket: str, key: str, properties: Any) -> ObjectInfo:
        settings = properties.content_settings
        md5 = settings.content_md5
        return ObjectInfo(
            bucket=bucket,
            key=key,
            size=int(properties.size),
            etag=bytes(md5).hex() if md5 else str(properties.etag).strip('"'),
            last_modified=properties.last_modified,
            content_type=settings.content_type or "application/octet-stream",
            metadata=dict(properties.metadata or {}),
        )
