"""How the filesystem object store lays out buckets and keys on disk, and walks them in key order.

A key's "/"-separated segments become directories ``<segment>.d``; the last segment's commit record is
``<segment>.json`` (size, ETag, content type, metadata, and the name of its data file
``<segment>.<random>.blob``). The three suffixes can never collide, so keys ``a`` and ``a/b`` coexist, and
a directory walk that orders each level by ``segment`` (objects) or ``segment + "/"`` (prefixes) yields
keys in exact lexicographic (UTF-8 byte) order, as S3 lists them.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument

DIR_SUFFIX = ".d"
RECORD_SUFFIX = ".json"
BLOB_SUFFIX = ".blob"
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 200  # + ".<32 hex>.blob" stays under the usual 255-byte file-name limit

_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")


def validate_bucket_name(bucket: str) -> None:
    """S3's rules: 3-63 characters of lowercase letters, digits, hyphens and dots, starting and ending
    with a letter or digit, no "..", not an IP address."""
    problem = ""
    if not isinstance(bucket, str) or not 3 <= len(bucket) <= 63:
        problem = "must be 3-63 characters long"
    elif not _BUCKET_CHARS.match(bucket):
        problem = (
            "may contain only lowercase letters, digits, '-' and '.', "
            "and must start and end with a letter or digit"
        )
    elif ".." in bucket or ".-" in bucket or "-." in bucket:
        problem = "must not contain '..', '.-' or '-.'"
    elif bucket.startswith("xn--") or bucket.endswith("-s3alias"):
        problem = "must not start with 'xn--' or end with '-s3alias'"
    else:
        try:
            ipaddress.ip_address(bucket)
            problem = "must not be formatted as an IP address"
        except ValueError:
            pass
    if problem:
        raise InvalidArgument(
            f"invalid bucket name {bucket!r}: it {problem}. Use a name like 'my-data-2026'."
        )


def key_segments(key: str) -> list[str]:
    """Split ``key`` into path segments, rejecting keys that could escape the bucket or not fit on disk."""
    if not isinstance(key, str) or not key:
        raise InvalidArgument("object key must be a non-empty string, e.g. 'data/train.csv'")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidArgument(f"object key is longer than {MAX_KEY_BYTES} bytes; use a shorter key")
    if "\x00" in key:
        raise InvalidArgument("object key contains a NUL character; remove it")
    if key.startswith("/") or key.startswith("\\"):
        raise InvalidArgument(f"object key {key!r} is absolute; drop the leading '/' (keys are relative)")
    segments = key.split("/")
    for segment in segments:
        if segment in (".", ".."):
            raise InvalidArgument(
                f"object key {key!r} contains a '{segment}' segment, which would escape the bucket; "
                "use a plain key such as 'a/b.txt'"
            )
        if "\\" in segment and os.sep == "\\":
            raise InvalidArgument(f"object key {key!r} contains a backslash; use '/' between segments")
        if len(segment.encode()) > MAX_SEGMENT_BYTES:
            raise InvalidArgument(
                f"a segment of key {key!r} is longer than {MAX_SEGMENT_BYTES} bytes; split it with '/'"
            )
    return segments


def record_path(objects_dir: Path, key: str) -> Path:
    """Where the commit record of ``key`` lives."""
    *dirs, name = key_segments(key)
    parent = objects_dir.joinpath(*(segment + DIR_SUFFIX for segment in dirs))
    return parent / (name + RECORD_SUFFIX)


def blob_name(record: Path, token: str) -> str:
    return record.name[: -len(RECORD_SUFFIX)] + f".{token}{BLOB_SUFFIX}"


def walk_records(objects_dir: Path, prefix: str = "", start_after: str = "") -> Iterator[tuple[str, Path]]:
    """(key, record path) for every object whose key starts with ``prefix`` and sorts after
    ``start_after``, in key order. Only directories that can hold such keys are read."""
    yield from _walk(objects_dir, "", prefix, start_after)


def _walk(directory: Path, key_prefix: str, prefix: str, start_after: str) -> Iterator[tuple[str, Path]]:
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return
    ordered: list[tuple[str, bool, os.DirEntry[str]]] = []
    for entry in entries:
        if entry.name.endswith(RECORD_SUFFIX) and entry.is_file():
            ordered.append((key_prefix + entry.name[: -len(RECORD_SUFFIX)], False, entry))
        elif entry.name.endswith(DIR_SUFFIX) and entry.is_dir():
            ordered.append((key_prefix + entry.name[: -len(DIR_SUFFIX)] + "/", True, entry))
    ordered.sort(key=lambda item: item[0])
    for fragment, is_dir, entry in ordered:
        if is_dir:
            if not (fragment.startswith(prefix) or prefix.startswith(fragment)):
                continue
            if start_after >= fragment and not start_after.startswith(fragment):
                continue  # every key under this prefix sorts before start_after
            yield from _walk(Path(entry.path), fragment, prefix, start_after)
        elif fragment.startswith(prefix) and fragment > start_after:
            yield fragment, Path(entry.path)
