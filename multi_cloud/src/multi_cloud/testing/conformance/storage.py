"""Conformance tests for ObjectStorage."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from multi_cloud.core.base import CloudProvider
from multi_cloud.core.errors import CloudError, NotFound


def _bucket() -> str:
    return f"conf-{uuid.uuid4().hex[:12]}"


class StorageConformance:
    """Mix in and provide a ``provider`` fixture."""

    def test_put_get_round_trip_with_md5_etag(self, provider: CloudProvider) -> None:
        bucket = _bucket()
        provider.storage.create_bucket(bucket)
        data = b"hello \x00 world" * 100
        info = provider.storage.put_object(
            bucket, "a/b.bin", data, content_type="application/x-test", metadata={"owner": "me"}
        )
        assert info.size == len(data)
        assert info.etag.strip('"') == hashlib.md5(data).hexdigest()  # noqa: S324
        assert provider.storage.get_object(bucket, "a/b.bin") == data
        head = provider.storage.head_object(bucket, "a/b.bin")
        assert head.size == len(data)
        assert head.content_type == "application/x-test"
        assert dict(head.metadata) == {"owner": "me"}

    def test_list_with_prefix_and_pagination(self, provider: CloudProvider) -> None:
        bucket = _bucket()
        provider.storage.create_bucket(bucket)
        keys = [f"data/{i:03d}.txt" for i in range(7)] + ["other/x.txt"]
        for key in keys:
            provider.storage.put_object(bucket, key, key.encode())
        listed = [o.key for o in provider.storage.list_objects(bucket, "data/", page_size=3)]
        assert listed == sorted(k for k in keys if k.startswith("data/"))
        assert len(list(provider.storage.list_objects(bucket))) == len(keys)

    def test_missing_object_and_bucket_raise_not_found(self, provider: CloudProvider) -> None:
        bucket = _bucket()
        provider.storage.create_bucket(bucket)
        with pytest.raises(NotFound):
            provider.storage.get_object(bucket, "nope")
        with pytest.raises(NotFound):
            provider.storage.head_object(bucket, "nope")
        assert provider.storage.exists(bucket, "nope") is False
        with pytest.raises(NotFound):
            provider.storage.get_object(_bucket(), "key")

    def test_delete_object_and_bucket(self, provider: CloudProvider) -> None:
        bucket = _bucket()
        provider.storage.create_bucket(bucket)
        provider.storage.put_object(bucket, "k", b"v")
        provider.storage.delete_object(bucket, "k")
        assert provider.storage.exists(bucket, "k") is False
        provider.storage.put_object(bucket, "k2", b"v")
        with pytest.raises(CloudError):
            provider.storage.delete_bucket(bucket)  # not empty
        provider.storage.delete_bucket(bucket, force=True)
        assert bucket not in {b.name for b in provider.storage.list_buckets()}
