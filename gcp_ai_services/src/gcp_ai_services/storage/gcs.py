"""GCSStorage: Cloud Storage buckets and objects over ``google.cloud.storage`` (gcp-storage-emulator locally).

Cloud Storage's ETag is not an MD5, but every object carries ``md5Hash`` (base64): the portable
:class:`~multi_cloud.core.types.ObjectInfo` reports that digest in hex as its ``etag``, as S3 does for
single-part uploads.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

from multi_cloud.core.base import ObjectStorage
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Bucket, ObjectInfo

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import storage_client


def md5_hex(md5_base64: str | None) -> str:
    return base64.b64decode(md5_base64).hex() if md5_base64 else ""


class GCSStorage(ObjectStorage):
    """Cloud Storage behind :class:`~multi_cloud.core.base.ObjectStorage`."""

    def __init__(self, provider: str = "gcp", settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    @property
    def client(self) -> Any:
        """The official ``google.cloud.storage.Client``."""
        return storage_client(self.settings)

    def create_bucket(self, bucket: str) -> Bucket:
        with google_errors("storage.create_bucket"):
            created = self.client.create_bucket(bucket, location=self.settings.gcp.location)
        return Bucket(
            name=created.name, created=created.time_created, region=(created.location or "").lower()
        )

    def delete_bucket(self, bucket: str, *, force: bool = False) -> None:
        with google_errors("storage.delete_bucket"):
            target = self.client.bucket(bucket)
            if force:
                for blob in self.client.list_blobs(bucket):
                    blob.delete()
            target.delete()

    def list_buckets(self) -> list[Bucket]:
        with google_errors("storage.list_buckets"):
            return [
                Bucket(name=b.name, created=b.time_created, region=(b.location or "").lower())
                for b in self.client.list_buckets()
            ]

    def put_object(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        with google_errors("storage.put_object"):
            blob = self.client.bucket(bucket).blob(key)
            blob.metadata = dict(metadata or {})
            blob.upload_from_string(bytes(data), content_type=content_type)
            return _info(bucket, blob)

    def get_object(self, bucket: str, key: str) -> bytes:
        with google_errors("storage.get_object"):
            return bytes(self.client.bucket(bucket).blob(key).download_as_bytes())

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        with google_errors("storage.head_object"):
            blob = self.client.bucket(bucket).blob(key)
            blob.reload()
            return _info(bucket, blob)

    def list_objects(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        with google_errors("storage.list_objects"):
            for blob in self.client.list_blobs(bucket, prefix=prefix or None, page_size=page_size):
                yield _info(bucket, blob)

    def delete_object(self, bucket: str, key: str) -> None:
        with google_errors("storage.delete_object"):
            self.client.bucket(bucket).blob(key).delete()

    def uri(self, bucket: str, key: str = "") -> str:
        return f"gs://{bucket}/{key}"


def _info(bucket: str, blob: Any) -> ObjectInfo:
    return ObjectInfo(
        bucket=bucket,
        key=blob.name,
        size=int(blob.size or 0),
        etag=md5_hex(blob.md5_hash),
        last_modified=blob.updated,
        content_type=blob.content_type or "application/octet-stream",
        metadata=dict(blob.metadata or {}),
    )
