"""S3Storage over the wire to moto: the storage conformance suite plus S3-specific behaviour."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from aws_ai_services.client import AWSProvider
from aws_ai_services.session import clear_client_cache
from multi_cloud.core.errors import InvalidArgument, NotFound, Unavailable
from multi_cloud.emulation.http.ports import free_port
from multi_cloud.testing.conformance.storage import StorageConformance


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class TestS3StorageConformance(StorageConformance):
    @pytest.fixture
    def provider(self, clean_cloud):  # type: ignore[no-untyped-def]
        return AWSProvider()


def test_objects_are_real_s3_objects(provider: AWSProvider, boto_client) -> None:  # type: ignore[no-untyped-def]
    bucket = unique("wire")
    provider.storage.create_bucket(bucket)
    data = b"a,b\n1,2\n"
    info = provider.storage.put_object(
        bucket, "t/data.csv", data, content_type="text/csv", metadata={"k": "v"}
    )
    head = boto_client("s3").head_object(Bucket=bucket, Key="t/data.csv")
    assert head["ContentType"] == "text/csv"
    assert head["Metadata"] == {"k": "v"}
    assert head["ETag"].strip('"') == info.etag == hashlib.md5(data).hexdigest()  # noqa: S324
    assert provider.storage.uri(bucket, "t/data.csv") == f"s3://{bucket}/t/data.csv"
    assert provider.storage.head_object(bucket, "t/data.csv").last_modified is not None


def test_upload_and_download_prefix_keep_relative_paths(provider: AWSProvider, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "nested").mkdir(parents=True)
    (source / "a.csv").write_text("1\n")
    (source / "nested" / "b.csv").write_text("2\n")
    bucket = unique("prefix")
    provider.storage.create_bucket(bucket)
    uris = provider.storage.upload_prefix(source, f"s3://{bucket}/data")
    assert uris == [f"s3://{bucket}/data/a.csv", f"s3://{bucket}/data/nested/b.csv"]

    dest = tmp_path / "dest"
    written = provider.storage.download_prefix(f"s3://{bucket}/data/", dest)
    assert sorted(p.relative_to(dest).as_posix() for p in written) == ["a.csv", "nested/b.csv"]
    assert (dest / "nested" / "b.csv").read_text() == "2\n"
    single = provider.storage.download_prefix(f"s3://{bucket}/data/a.csv", tmp_path / "one")
    assert [p.name for p in single] == ["a.csv"]
    assert provider.storage.download_prefix(f"s3://{bucket}/nothing/", tmp_path / "none") == []


def test_force_delete_removes_every_version(provider: AWSProvider, boto_client) -> None:  # type: ignore[no-untyped-def]
    bucket = unique("versioned")
    provider.storage.create_bucket(bucket)
    boto_client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2"):
        provider.storage.put_object(bucket, "k", body)
    provider.storage.delete_object(bucket, "k")  # leaves a delete marker and two versions
    with pytest.raises(InvalidArgument, match="force=True"):
        provider.storage.delete_bucket(bucket)
    provider.storage.delete_bucket(bucket, force=True)
    assert bucket not in [b["Name"] for b in boto_client("s3").list_buckets()["Buckets"]]


def test_bucket_errors_name_the_bucket(provider: AWSProvider) -> None:
    missing = unique("missing")
    with pytest.raises(NotFound, match=missing) as caught:
        provider.storage.get_object(missing, "k")
    assert caught.value.provider == "aws"
    assert caught.value.operation == "storage.get_object"
    assert type(caught.value.cause).__name__ == "NoSuchBucket"
    with pytest.raises(InvalidArgument):
        provider.storage.create_bucket("ab")  # S3 names are 3-63 characters
    with pytest.raises(InvalidArgument, match="page_size"):
        list(provider.storage.list_objects(missing, page_size=0))


def test_unreachable_endpoint_is_unavailable_with_a_hint(clean_cloud, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    clear_client_cache()
    try:
        with pytest.raises(Unavailable, match="cloudai local status"):
            AWSProvider().storage.list_buckets()
    finally:
        clear_client_cache()
