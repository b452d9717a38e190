"""Deterministic .zip deployment packages: the same files always give the same bytes (and CodeSha256)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument, NotFound

#: never shipped: caches and tooling that differ between machines
EXCLUDED_PARTS = frozenset({"__pycache__", ".git", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
#: Lambda's limit for a .zip uploaded directly in the request
MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def package_directory(source_dir: str | Path) -> bytes:
    """Zip ``source_dir``'s files (sorted, fixed timestamps and permissions) for CreateFunction."""
    root = Path(source_dir)
    if not root.is_dir():
        raise NotFound(f"source directory {root} does not exist; pass the folder that holds your handler")
    files = sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and not EXCLUDED_PARTS.intersection(path.relative_to(root).parts)
        and not path.name.endswith(EXCLUDED_SUFFIXES)
    )
    if not files:
        raise InvalidArgument(f"source directory {root} holds no files; put your handler module in it")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=_FIXED_TIME)
            entry.external_attr = (0o755 if path.stat().st_mode & 0o111 else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    data = buffer.getvalue()
    if len(data) > MAX_DIRECT_UPLOAD_BYTES:
        raise InvalidArgument(
            f"the package of {root} is {len(data) / 1e6:.1f} MB; Lambda accepts at most 50 MB inline. "
            "Drop large files or upload the package to S3 and deploy from there."
        )
    return data


def code_sha256(package: bytes) -> str:
    """Lambda's CodeSha256 of a package: base64 of its SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(package).digest()).decode("ascii")
