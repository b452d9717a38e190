"""LocalObjectStorage: an S3-like object store on the local filesystem with atomic, crash-safe writes.

Layout under ``root`` (see :mod:`multi_cloud.onprem.storage_layout` for the key encoding)::

    <bucket>/bucket.json                  created time
    <bucket>/objects/<a>.d/<b>.json       commit record of key "a/b": size, ETag, type, metadata, blob name
    <bucket>/objects/<a>.d/<b>.<hex>.blob the object's bytes

A put writes the blob under a fresh name (temp file, fsync, rename), then replaces the commit record the
same way; the record's rename is the single commit point. A crash before it leaves only an invisible orphan
blob (removed by :meth:`LocalObjectStorage.collect_garbage`); after it, the new object is complete. Readers
therefore never see a half-written object, an object without its metadata, or new bytes with old metadata.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from multi_cloud.core.base import ObjectStorage
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.types import Bucket, ObjectInfo
from multi_cloud.core.uris import join_uri, split_uri
from multi_cloud.onprem import storage_layout as layout
from multi_cloud.onprem.atomic_files import (
    TEMP_PREFIX,
    fsync_directory,
    read_chunks,
    write_chunks,
    write_json,
)

SCHEME = "onprem"
REGION = "local"


class LocalObjectStorage(ObjectStorage):
    """Buckets are directories under ``root``; ``durable=False`` skips fsync (faster, not crash-safe)."""

    def __init__(self, provider: str, root: Path, *, durable: bool = True) -> None:
        super().__init__(provider)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.durable = durable

    # ------------------------------------------------------------------ buckets
    def create_bucket(self, bucket: str) -> Bucket:
        layout.validate_bucket_name(bucket)
        directory = self.root / bucket
        try:
            directory.mkdir()
        except FileExistsError:
            raise AlreadyExists(
                f"bucket {bucket!r} already exists; choose another name or use the existing bucket",
                provider=self.provider,
                operation="storage.create_bucket",
            ) from None
        created = _now()
        (directory / "objects").mkdir()
        write_json(directory / "bucket.json", {"created": created.isoformat()}, durable=self.durable)
        return Bucket(name=bucket, created=created, region=REGION)

    def delete_bucket(self, bucket: str, *, force: bool = False) -> None:
        directory = self._bucket_dir(bucket, "delete_bucket")
        if not force and next(layout.walk_records(directory / "objects"), None) is not None:
            raise InvalidArgument(
                f"bucket {bucket!r} is not empty; delete its objects first or pass force=True",
                provider=self.provider,
                operation="storage.delete_bucket",
            )
        trash = self.root / f"{TEMP_PREFIX}deleted-{uuid.uuid4().hex}"
        os.rename(directory, trash)  # the bucket disappears at once, even if the removal below is cut short
        shutil.rmtree(trash, ignore_errors=True)

    def list_buckets(self) -> list[Bucket]:
        found = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            found.append(Bucket(name=entry.name, created=self._created(Path(entry.path)), region=REGION))
        return found

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
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidArgument(
                f"object data must be bytes, not {type(data).__name__}; encode text with .encode()"
            )
        return self._store(bucket, key, (bytes(data),), content_type, metadata, "put_object")

    def upload_file(
        self,
        path: str | Path,
        bucket: str,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        """Stream a local file into ``bucket/key``; the content type is guessed from the name if not given."""
        source = Path(path)
        if not source.is_file():
            raise NotFound(f"no file at {source}; check the path", provider=self.provider)
        guessed = content_type or mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        with open(source, "rb") as handle:
            return self._store(bucket, key, read_chunks(handle), guessed, metadata, "upload_file")

    def get_object(self, bucket: str, key: str) -> bytes:
        with self.open_object(bucket, key) as handle:
            return handle.read()

    def open_object(self, bucket: str, key: str) -> BinaryIO:
        """A binary file object reading the object's bytes (close it when done)."""
        for _ in range(5):
            record_file, record = self._read_record(bucket, key, "get_object")
            try:
                return open(record_file.parent / record["blob"], "rb")
            except FileNotFoundError:
                continue  # a concurrent put replaced the object between the two reads; read again
        raise NotFound(f"object {key!r} in bucket {bucket!r} kept changing while being read; retry")

    def head_object(self, bucket: str, key: str) -> ObjectInfo:
        _, record = self._read_record(bucket, key, "head_object")
        return _info(bucket, key, record)

    def list_objects(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        start_after = ""
        while True:
            page, start_after = self.list_page(bucket, prefix, start_after=start_after, page_size=page_size)
            yield from page
            if not start_after:
                return

    def list_page(
        self, bucket: str, prefix: str = "", *, start_after: str = "", page_size: int = 1000
    ) -> tuple[list[ObjectInfo], str]:
        """One page of objects after ``start_after``, and the continuation key ("" on the last page).

        Only the directories that can hold keys after ``start_after`` are read, so a page costs about the
        same however deep into the listing it is.
        """
        if page_size < 1:
            raise InvalidArgument(f"page_size must be at least 1, got {page_size}")
        objects_dir = self._bucket_dir(bucket, "list_objects") / "objects"
        page: list[ObjectInfo] = []
        for key, record_file in layout.walk_records(objects_dir, prefix, start_after):
            if len(page) == page_size:
                return page, page[-1].key  # another key follows: there is a next page
            try:
                record = json.loads(record_file.read_bytes())
            except FileNotFoundError:
                continue  # deleted while listing
            page.append(_info(bucket, key, record))
        return page, ""

    def delete_object(self, bucket: str, key: str) -> None:
        record_file, record = self._read_record(bucket, key, "delete_object")
        record_file.unlink(missing_ok=True)  # the object is gone from here on
        (record_file.parent / record["blob"]).unlink(missing_ok=True)
        if self.durable:
            fsync_directory(record_file.parent)
        self._prune_empty_dirs(record_file.parent, self.root / bucket / "objects")

    def uri(self, bucket: str, key: str = "") -> str:
        return join_uri(SCHEME, bucket, key)

    # ------------------------------------------------------------------ helpers for other services
    def download_file(self, bucket: str, key: str, dest: str | Path) -> Path:
        """Copy one object to the local file ``dest`` (written atomically)."""
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.open_object(bucket, key) as handle:
            write_chunks(target, read_chunks(handle), durable=False)
        return target

    def download_prefix(self, uri: str, dest: Path) -> list[Path]:
        """Copy every object under ``onprem://bucket/prefix`` into ``dest``, keeping the key's path below
        the prefix (a URI naming one object copies that object under its base name).

        Raises NotFound when nothing is there, as a SageMaker channel with no objects fails.
        """
        bucket, prefix = split_uri(uri, scheme=SCHEME)
        dest = Path(dest)
        written: list[Path] = []
        for info in self.list_objects(bucket, prefix):
            relative = info.key[len(prefix) :].lstrip("/") or info.key.rsplit("/", 1)[-1]
            if relative.endswith("/"):  # a "folder" marker object
                (dest / relative).mkdir(parents=True, exist_ok=True)
                continue
            written.append(self.download_file(bucket, info.key, dest / relative))
        if not written:
            raise NotFound(
                f"no objects under {uri}; upload data there first (e.g. storage.upload_file(...))",
                provider=self.provider,
                operation="storage.download_prefix",
            )
        return written

    def collect_garbage(self, bucket: str, *, older_than_seconds: float = 3600.0) -> int:
        """Remove data left by crashed writes (orphan blobs, temp files) older than the given age."""
        objects_dir = self._bucket_dir(bucket, "collect_garbage") / "objects"
        cutoff = time.time() - older_than_seconds
        removed = 0
        for directory, _, files in os.walk(objects_dir):
            referenced = set()
            for name in files:
                if name.endswith(layout.RECORD_SUFFIX) and not name.startswith(TEMP_PREFIX):
                    try:
                        referenced.add(json.loads((Path(directory) / name).read_bytes())["blob"])
                    except (OSError, ValueError, KeyError):
                        continue
            for name in files:
                orphan = name.startswith(TEMP_PREFIX) or (
                    name.endswith(layout.BLOB_SUFFIX) and name not in referenced
                )
                path = Path(directory) / name
                if orphan and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    # ------------------------------------------------------------------ internals
    def _store(
        self,
        bucket: str,
        key: str,
        chunks: Any,
        content_type: str,
        metadata: Mapping[str, str] | None,
        operation: str,
    ) -> ObjectInfo:
        objects_dir = self._bucket_dir(bucket, operation) / "objects"
        record_file = layout.record_path(objects_dir, key)
        clean_metadata = _validate_metadata(metadata)
        for attempt in range(3):
            try:
                record_file.parent.mkdir(parents=True, exist_ok=True)
                blob = record_file.parent / layout.blob_name(record_file, uuid.uuid4().hex)
                size, md5 = write_chunks(blob, chunks, durable=self.durable)
                break
            except FileNotFoundError:
                if attempt == 2 or not isinstance(chunks, tuple):
                    raise
                # a concurrent delete pruned the directory we just made; make it again
        previous = _read_json(record_file)
        record = {
            "key": key,
            "size": size,
            "etag": f'"{md5}"',
            "content_type": content_type,
            "metadata": clean_metadata,
            "last_modified": _now().isoformat(),
            "blob": blob.name,
        }
        try:
            write_json(record_file, record, durable=self.durable)  # the commit point
        except BaseException:
            blob.unlink(missing_ok=True)
            raise
        if previous and previous.get("blob") != blob.name:
            (record_file.parent / previous["blob"]).unlink(missing_ok=True)
        return _info(bucket, key, record)

    def _read_record(self, bucket: str, key: str, operation: str) -> tuple[Path, dict[str, Any]]:
        objects_dir = self._bucket_dir(bucket, operation) / "objects"
        record_file = layout.record_path(objects_dir, key)
        record = _read_json(record_file)
        if record is None:
            raise NotFound(
                f"no object {key!r} in bucket {bucket!r}; list the bucket to see its keys",
                provider=self.provider,
                operation=f"storage.{operation}",
            )
        return record_file, record

    def _bucket_dir(self, bucket: str, operation: str) -> Path:
        layout.validate_bucket_name(bucket)
        directory = self.root / bucket
        if not directory.is_dir():
            raise NotFound(
                f"bucket {bucket!r} does not exist; create it with create_bucket({bucket!r})",
                provider=self.provider,
                operation=f"storage.{operation}",
            )
        return directory

    def _created(self, directory: Path) -> datetime:
        document = _read_json(directory / "bucket.json")
        if document and "created" in document:
            return datetime.fromisoformat(document["created"])
        return datetime.fromtimestamp(directory.stat().st_mtime, tz=timezone.utc)

    @staticmethod
    def _prune_empty_dirs(directory: Path, stop: Path) -> None:
        while directory != stop and stop in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty (or already gone): stop climbing
            directory = directory.parent


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        document: dict[str, Any] = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    return document


def _validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidArgument(
                f"metadata must map strings to strings; convert {name!r}: {value!r} with str()"
            )
        clean[name] = value
    return clean


def _info(bucket: str, key: str, record: Mapping[str, Any]) -> ObjectInfo:
    return ObjectInfo(
        bucket=bucket,
        key=key,
        size=int(record["size"]),
        etag=str(record["etag"]),
        last_modified=datetime.fromisoformat(record["last_modified"]),
        content_type=str(record["content_type"]),
        metadata=dict(record["metadata"]),
    )
