"""Extract tar archives safely on every supported Python: tarfile's data filter, or its checks by hand."""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath


class UnsafeArchive(ValueError):
    """A member would land outside the destination, or is a device or a link leaving it."""


def safe_extractall(tar: tarfile.TarFile, dest: str | Path) -> None:
    """``tar.extractall(dest)`` refusing absolute paths, ``..``, devices and links that leave ``dest``.

    Python 3.10.12+/3.11.4+ have ``filter="data"`` (PEP 706); older patch releases, such as Debian 12's
    3.11.2, lack it, and there the same rules are applied before extracting.
    """
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(dest, filter="data")
        except tarfile.FilterError as exc:
            raise UnsafeArchive(str(exc)) from exc
        return
    root = Path(dest).resolve()
    members = tar.getmembers()
    for member in members:
        _check(member, root)
    tar.extractall(root, members=members)  # noqa: S202 - every member checked above


def _check(member: tarfile.TarInfo, root: Path) -> None:
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise UnsafeArchive(f"archive member {member.name!r} would be written outside the destination")
    if member.isdev():
        raise UnsafeArchive(f"archive member {member.name!r} is a device file")
    target = (root / name).resolve()
    if not target.is_relative_to(root):
        raise UnsafeArchive(f"archive member {member.name!r} would be written outside the destination")
    if member.issym() or member.islnk():
        link = PurePosixPath(member.linkname)
        base = target.parent if member.issym() else root
        if link.is_absolute() or not (base / link).resolve().is_relative_to(root):
            raise UnsafeArchive(f"archive link {member.name!r} -> {member.linkname!r} leaves the destination")
