"""Sync a container's checkpoint directory with ``CheckpointConfig.S3Uri``, as SageMaker does for spot jobs.

Before the script starts every object under the prefix is copied into the local directory; after it ends
(or is interrupted) every file new or changed since the last sync is uploaded. Temporary files (``*.tmp``,
dot-files) are skipped: a script writes a checkpoint under a temporary name and renames it, so a kill never
leaves half a file in S3.
"""

from __future__ import annotations

from pathlib import Path

from aws_ai_services.emulator.moto_state import MotoS3, S3Missing

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

    def __init__(self, s3: MotoS3, s3_uri: str, local_dir: Path) -> None:
        self.s3 = s3
        self.s3_uri = s3_uri if s3_uri.endswith("/") else s3_uri + "/"
        self.local_dir = local_dir
        self._synced: Snapshot = {}

    def download(self) -> list[str]:
        """Fill the local directory from S3; the relative paths restored."""
        self.local_dir.mkdir(parents=True, exist_ok=True)
        _, prefix = self.s3_uri.removeprefix("s3://").split("/", 1)
        restored: list[str] = []
        try:
            for key, data in self.s3.objects(self.s3_uri):
                relative = key[len(prefix) :]
                target = (self.local_dir / relative).resolve()
                if self.local_dir.resolve() in target.parents:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    restored.append(relative)
        except S3Missing:
            pass  # no bucket yet: nothing to restore
        self._synced = snapshot(self.local_dir)
        return restored

    def upload(self) -> list[str]:
        """Upload what changed since the last sync; the relative paths uploaded (S3Missing: no bucket)."""
        uploaded = changed_since(self.local_dir, self._synced)
        for name in uploaded:
            self.s3.put(self.s3_uri + name, (self.local_dir / name).read_bytes())
        self._synced = snapshot(self.local_dir)
        return uploaded
