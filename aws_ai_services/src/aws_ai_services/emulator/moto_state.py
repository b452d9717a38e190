"""In-process access to moto's S3 and CloudWatch Logs state, for work the local cloud does server-side.

Server-side jobs (training, transform, monitoring) run inside the process that hosts moto (the test
session or the ``cloudai local up`` daemon), so they read and write moto's backends directly instead of
calling back over HTTP: the same state a boto3 client sees, without a round trip or credentials.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.uris import split_uri

PARTITION = "aws"


class S3Missing(LookupError):
    """No object, or no bucket, at the S3 location a job needs (SageMaker reports a ``ClientError``)."""


@dataclass(frozen=True)
class MotoS3:
    """One account's S3 as moto holds it."""

    account_id: str

    @property
    def backend(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id][PARTITION]

    def _bucket(self, name: str) -> Any:
        from moto.s3.exceptions import MissingBucket

        try:
            return self.backend.get_bucket(name)
        except MissingBucket as exc:
            raise S3Missing(f"bucket {name!r} does not exist") from exc

    def get(self, uri: str) -> bytes:
        bucket, key = split_uri(uri, scheme="s3")
        self._bucket(bucket)
        found = self.backend.get_object(bucket, key)
        if found is None:
            raise S3Missing(f"no object at {uri}")
        return bytes(found.value)

    def put(self, uri: str, data: bytes) -> None:
        bucket, key = split_uri(uri, scheme="s3")
        self._bucket(bucket)
        self.backend.put_object(bucket, key, data)

    def etag(self, uri: str) -> str:
        """The object's ETag (its version for caches); S3Missing when there is none."""
        bucket, key = split_uri(uri, scheme="s3")
        self._bucket(bucket)
        found = self.backend.get_object(bucket, key)
        if found is None:
            raise S3Missing(f"no object at {uri}")
        return str(found.etag)

    def exists(self, uri: str) -> bool:
        try:
            self.get(uri)
        except S3Missing:
            return False
        return True

    def list(self, prefix_uri: str) -> list[str]:
        """Keys under an ``s3://bucket/prefix`` (folder markers skipped), sorted."""
        bucket_name, prefix = split_uri(prefix_uri, scheme="s3")
        bucket = self._bucket(bucket_name)
        return sorted(
            key for key in list(bucket.keys.keys()) if key.startswith(prefix) and not key.endswith("/")
        )

    def objects(self, prefix_uri: str) -> Iterator[tuple[str, bytes]]:
        """``(key, bytes)`` for every object under the prefix, in key order."""
        bucket, _ = split_uri(prefix_uri, scheme="s3")
        for key in self.list(prefix_uri):
            yield key, self.get(f"s3://{bucket}/{key}")


@dataclass(frozen=True)
class MotoLogs:
    """One account's CloudWatch Logs in one region, as moto holds it."""

    account_id: str
    region: str

    @property
    def backend(self) -> Any:
        from moto.logs.models import logs_backends

        return logs_backends[self.account_id][self.region]

    def write(self, group: str, stream: str, lines: Iterable[str]) -> None:
        """Append ``lines`` to ``group/stream``, creating both as the service would on first write."""
        backend = self.backend
        if group not in backend.groups:
            backend.create_log_group(group, tags={})
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": line} for line in lines if line.strip()]
        for start in range(0, len(events), 1000):  # PutLogEvents takes at most 10,000 events per call
            backend.put_log_events(group, stream, events[start : start + 1000])
