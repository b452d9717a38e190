"""S3Storage: the ObjectStorage capability over boto3 S3, plus prefix download/upload helpers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from multi_cloud.core.base import ObjectStorage
from multi_cloud.core.errors import AlreadyExists, InvalidArgument
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import Bucket, ObjectInfo
from multi_cloud.core.uris import join_uri, split_uri

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

#: S3 deletes at most this many keys per DeleteObjects request
DELETE_BATCH = 1000


class S3Storage(ObjectStorage):
    """Buckets and objects in S3 (moto's S3 in local mode). URIs look like ``s3://bucket/key``."""

    scheme = "s3"

    def __init__(self, provider: str = "aws", settings: Settings | None = None) -> None:
        super().__init__(provider)
        self.settings = settings or get_settings()

    client = ServiceClient("s3")

    # ------------------------------------------------------------------ buckets
    def create_bucket(self, bucket: str) -> Bucket:
        region = self.settings.aws.region
        request: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":  # S3 rejects a LocationConstraint of us-east-1
            request["CreateBucketConfiguration"] = {"LocationConstraint": region}
        with aws_errors("storage.create_bucket"):
            self.client.create_bucket(**request)
        return Bucket(name=bucket, region=region)

    def ensure_bucket(self, bucket: str) -> Bucket:
        """Create ``bucket`` unless this account already owns it."""
        try:
            return self.create_bucket(bucket)
        except AlreadyExists as exc:
            if exc.code != "BucketAlreadyOwnedByYou":
                raise  # BucketAlreadyExists: another account owns the name
            return Bucket(name=bucket, region=self.settings.aws.region)

    def delete_bucket(self, bucket: str, *, force: bool = False) -> None:
        with aws_errors("storage.delete_bucket"):
            if force:
                self._delete_every_version(bucket)
            self.client.delete_bucket(Bucket=bucket)

    def _delete_every_version(self, bucket: str) -> None:
        """Delete every object version and delete marker (plain objects are version "null")."""
        batch: list[dict[str, str]] = []
        for page in self.client.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                batch.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
                if len(batch) == DELETE_BATCH:
                    self._delete_batch(bucket, batch)
                    batch = []
        if batch:
            self._delete_batch(bucket, batch)

    def _delete_batch(self, bucket: str, objects: list[dict[str, str]]) -> None:
        response = self.client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise InvalidArgument(
                f"could not delete {len(errors)} object(s) from {bucket}, e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}"
            )

    def list_buckets(self) -> list[Bucket]:
        buckets: list[Bucket] = []
        with aws_errors("storage.list_buckets"):
            for page in self.client.get_paginator("list_buckets").paginate():
                buckets += [
                    Bucket(name=b["Name"], created=b.get("CreationDate"), region=b.get("BucketRegion", ""))
                    for b in page.get("Buckets", [])
                ]
        return buckets

    # ------------------------------------------------------------------ objects
    def put_object(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        with aws_errors("storage.put_object"):
            response = self.client.put_object(
                Bucket=bucket, Key=key, Body=data, ContentType=content_type, Metadata=dict(metadata or {})
            )
        return ObjectInfo(
            bucket=bucket,
            key=key,
            size=len(data),
            etag=response["ETag"].strip('"'),
            content_type=content_type,
            metadata=dict(metadata or {}),
        )

    def get_object(self, bucket: str, key: str) -> bytes:
        with aws_errors("storage.get_object"):
            body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        with aws_errors("storage.head_object"):
            response = self.client.head_object(Bucket=bucket, Key=key)
        return ObjectInfo(
            bucket=bucket,
            key=key,
            size=response["ContentLength"],
            etag=response["ETag"].strip('"'),
            last_modified=response.get("LastModified"),
            content_type=response.get("ContentType", "application/octet-stream"),
            metadata=dict(response.get("Metadata", {})),
        )

    def list_objects(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        """Objects under ``prefix`` (ListObjectsV2 pages; listings carry no content type or metadata)."""
        if not 1 <= page_size <= 1000:
            raise InvalidArgument(f"page_size must be 1..1000 (S3's limit), got {page_size}")
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size})
        with aws_errors("storage.list_objects"):
            for page in pages:
                for entry in page.get("Contents", []):
                    yield ObjectInfo(
                        bucket=bucket,
                        key=entry["Key"],
                        size=entry["Size"],
                        etag=entry["ETag"].strip('"'),
                        last_modified=entry.get("LastModified"),
                    )

    def delete_object(self, bucket: str, key: str) -> None:
        with aws_errors("storage.delete_object"):
            self.client.delete_object(Bucket=bucket, Key=key)

    def uri(self, bucket: str, key: str = "") -> str:
        return join_uri(self.scheme, bucket, key)

    # ------------------------------------------------------------------ prefix helpers
    def download_prefix(self, uri: str, dest: Path | str) -> list[Path]:
        """Download every object under the ``s3://`` prefix into ``dest``, as SageMaker fills a channel.

        Paths are relative to the prefix's last ``/``: ``s3://b/data/`` and ``s3://b/data/train.csv``
        both put ``data/train.csv`` at ``dest/train.csv``. Returns the files written (empty if none).
        """
        bucket, prefix = split_uri(uri, scheme=self.scheme)
        base = prefix[: prefix.rfind("/") + 1]
        dest = Path(dest)
        written: list[Path] = []
        for info in self.list_objects(bucket, prefix):
            if info.key.endswith("/"):
                continue  # a "folder" marker
            relative = PurePosixPath(info.key[len(base) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise InvalidArgument(f"refusing to download {info.key!r} outside {dest}")
            target = dest.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with aws_errors("storage.download_prefix"):
                self.client.download_file(bucket, info.key, str(target))
            written.append(target)
        return written

    def upload_file(self, path: Path | str, uri: str) -> str:
        """Upload one local file to the object ``uri``; returns the URI."""
        bucket, key = split_uri(uri, scheme=self.scheme)
        with aws_errors("storage.upload_file"):
            self.client.upload_file(str(path), bucket, key)
        return uri

    def upload_prefix(self, source: Path | str, uri: str) -> list[str]:
        """Upload a file, or every file under a directory, below the ``s3://`` prefix ``uri``."""
        source = Path(source)
        bucket, prefix = split_uri(uri, scheme=self.scheme)
        prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        if source.is_file():
            return [self.upload_file(source, self.uri(bucket, prefix + source.name))]
        if not source.is_dir():
            raise InvalidArgument(f"{source} is neither a file nor a directory")
        files = sorted(p for p in source.rglob("*") if p.is_file())
        return [
            self.upload_file(p, self.uri(bucket, prefix + p.relative_to(source).as_posix())) for p in files
        ]
