"""Read and write data named by object URIs (``onprem://bucket/key``), local paths or file:// URIs."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from multi_cloud.core.base import ObjectStorage
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.uris import split_uri


@dataclass(frozen=True)
class Entry:
    """One object (or file) found under a URI prefix, named relative to that prefix."""

    name: str
    uri: str
    read: Callable[[], bytes]
    content_type: str = ""


class ObjectLocations:
    """Resolve URIs against any :class:`ObjectStorage` (through its abstract interface) or the filesystem."""

    def __init__(self, storage: ObjectStorage) -> None:
        self.storage = storage
        self.scheme = storage.uri("bucket").split("://", 1)[0]

    # ------------------------------------------------------------------ classification
    def local_path(self, uri: str) -> Path | None:
        """The filesystem path for ``file://`` URIs and plain paths; None for object URIs."""
        if uri.startswith("file://"):
            return Path(unquote(urlsplit(uri).path))
        if "://" not in uri:
            return Path(uri).expanduser()
        return None

    def split(self, uri: str) -> tuple[str, str]:
        """``(bucket, key)`` of an object URI in this storage's scheme."""
        scheme = uri.split("://", 1)[0]
        if scheme != self.scheme:
            raise InvalidArgument(
                f"{uri!r} uses the {scheme}:// scheme, which this provider's storage does not serve; "
                f"upload the data and pass {self.scheme}://bucket/key, or a local path / file:// URI"
            )
        return split_uri(uri, scheme=self.scheme)

    # ------------------------------------------------------------------ reading
    def read(self, uri: str) -> bytes:
        path = self.local_path(uri)
        if path is not None:
            if not path.is_file():
                raise NotFound(f"no file at {path}; check the path (it must name a file, not a folder)")
            return path.read_bytes()
        bucket, key = self.split(uri)
        return self.storage.get_object(bucket, key)

    def entries(self, uri: str) -> Iterator[Entry]:
        """Every object under the prefix ``uri`` (or the one object it names), in key order."""
        path = self.local_path(uri)
        if path is not None:
            yield from self._file_entries(path)
            return
        bucket, prefix = self.split(uri)
        base = prefix.rpartition("/")[0]
        for info in self.storage.list_objects(bucket, prefix):
            if info.key.endswith("/"):
                continue
            name = info.key[len(base) :].lstrip("/")
            yield Entry(
                name=name,
                uri=self.storage.uri(bucket, info.key),
                read=functools.partial(self.storage.get_object, bucket, info.key),
                content_type=info.content_type,
            )

    def _file_entries(self, path: Path) -> Iterator[Entry]:
        if path.is_file():
            yield Entry(path.name, path.resolve().as_uri(), path.read_bytes)
        elif path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                yield Entry(file.relative_to(path).as_posix(), file.resolve().as_uri(), file.read_bytes)

    def download(self, uri: str, dest: Path) -> list[Path]:
        """Copy everything under ``uri`` into ``dest`` (keys relative to the prefix); the files written."""
        written = []
        for entry in self.entries(uri):
            target = dest / entry.name
            if dest.resolve() not in target.resolve().parents:
                raise InvalidArgument(f"object name {entry.name!r} would escape the channel directory")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry.read())
            written.append(target)
        return written

    # ------------------------------------------------------------------ writing
    def child(self, prefix_uri: str, name: str) -> str:
        """The URI of ``name`` inside the prefix (or folder) ``prefix_uri``."""
        return prefix_uri if prefix_uri.endswith("/") and not name else f"{prefix_uri.rstrip('/')}/{name}"

    def write(self, uri: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        """Store ``data`` at ``uri`` (creating the bucket or folder when missing); the URI written."""
        path = self.local_path(uri)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return path.resolve().as_uri()
        bucket, key = self.split(uri)
        if not key or key.endswith("/"):
            raise InvalidArgument(f"{uri!r} names a prefix, not an object; add the object name")
        self.ensure_bucket(bucket)
        self.storage.put_object(bucket, key, data, content_type=content_type)
        return self.storage.uri(bucket, key)

    def ensure_bucket(self, bucket: str) -> None:
        if bucket in {b.name for b in self.storage.list_buckets()}:
            return
        try:
            self.storage.create_bucket(bucket)
        except AlreadyExists:
            pass
