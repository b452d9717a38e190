"""Split and build object URIs of the form ``scheme://bucket/key`` (s3, gs, onprem, ...)."""

from __future__ import annotations

from urllib.parse import urlsplit

from multi_cloud.core.errors import InvalidArgument


def split_uri(uri: str, *, scheme: str | None = None) -> tuple[str, str]:
    """``"s3://bucket/a/b"`` -> ``("bucket", "a/b")``; checks the scheme when given."""
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc:
        raise InvalidArgument(f"{uri!r} is not an object URI like '{scheme or 's3'}://bucket/key'")
    if scheme and parts.scheme != scheme:
        raise InvalidArgument(f"{uri!r} is not a {scheme}:// URI")
    return parts.netloc, parts.path.lstrip("/")


def join_uri(scheme: str, bucket: str, key: str = "") -> str:
    return f"{scheme}://{bucket}/{key}"
