"""Sync a training container's checkpoint directory with ``CheckpointConfig.S3Uri``, as SageMaker does.

Before the script starts every object under the S3 prefix is copied into the local directory (so a
restarted or new job sees the previous checkpoints); after it ends — or is interrupted — every file that
is new or changed since the last sync is uploaded. Temporary files (``*.tmp``, dot-files) are skipped: a
script should write a checkpoint to a temporary name and rename it, so a kill never leaves half a file.
"""

from __future__ import annotations

from pathlib import Path

from multi_cloud.core.uris import split_uri

from aws_ai_services.storage.s3 import S3Storage

Snapshot = dict[str, tuple[int, int]]


def is_checkpoint_file(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and not path.name.endswith(".tmp")


def snapshot(directory: Path) -> Snapshot:
    """``{relative path: (size, mtime_ns)}`` of the checkpoint files in ``directory``."""
    found: Snapshot = {}
    for path in sorted(directory.rglob("*")) if directory.is_dir() else []:
        if is_checkpoint_file(path):
            stat = path.stat()
            found[path.relative_to(directory).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed_since(directory: Path, before: Snapshot) -> list[str]:
    """Relative paths of checkpoint files written or rewritten since ``before`` was taken."""
    return [name for name, stat in snapshot(directory).items() if before.get(name) != stat]


class CheckpointSync:
    """Copies between one S3 checkpoint prefix and one local directory."""

    def __init__(self, storage: S3Storage, s3_uri: str, local_dir: Path) -> None:
        self.storage = storage
        self.s3_uri = s3_uri if s3_uri.endswith("/") else s3_uri + "/"
        self.local_dir = local_dir
        self._synced: Snapshot = {}

    def download(self) -> list[str]:
        """Fill the local directory from S3; returns the relative paths restored."""
        self.local_dir.mkdir(parents=True, exist_ok=True)
        bucket, _ = split_uri(self.s3_uri, scheme="s3")
        self.storage.ensure_bucket(bucket)
        restored = self.storage.download_prefix(self.s3_uri, self.local_dir)
        self._synced = snapshot(self.local_dir)
        return sorted(p.relative_to(self.local_dir).as_posix() for p in restored)

    def upload(self) -> list[str]:
        """Upload what changed since the last sync; returns the relative paths uploaded."""
        uploaded = changed_since(self.local_dir, self._synced)
        for name in uploaded:
            self.storage.upload_file(self.local_dir / name, self.s3_uri + name)
        self._synced = snapshot(self.local_dir)
        return uploaded
