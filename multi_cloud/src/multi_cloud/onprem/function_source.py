"""A function's deployment package: unpack its zip into a code directory, check its requirements offline.

Shared by the emulators whose functions deploy from a zip (Azure Functions' zip deploy; Cloud Functions
builds use the same rules): zipfile drops absolute paths and ``..`` components, and a local build installs
nothing, so every distribution ``requirements.txt`` names must already be in the local cloud's Python.
"""

from __future__ import annotations

import importlib.metadata
import io
import re
import shutil
import zipfile
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument

_REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)")
#: what a deployment package may hold at most once unpacked (Azure's zip deploy limit is 2 GB; be frugal)
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


def unpack_zip(archive: bytes, target: Path) -> Path:
    """Unpack ``archive`` into ``target`` (replaced); InvalidArgument if it is not a zip or too large."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as files:
            size = sum(info.file_size for info in files.infolist())
            if size > MAX_UNPACKED_BYTES:
                raise InvalidArgument(
                    f"the package unpacks to {size} bytes, more than the local limit of {MAX_UNPACKED_BYTES}"
                )
            files.extractall(target)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidArgument(f"the package is not a valid zip file ({exc})") from exc
    return target


def missing_requirements(path: Path) -> list[str]:
    """The distributions ``requirements.txt`` names that are not installed here (options are skipped)."""
    if not path.is_file():
        return []
    missing = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        match = _REQUIREMENT.match(line)
        if not line or line.startswith("-") or match is None:
            continue
        try:
            importlib.metadata.distribution(match.group("name"))
        except importlib.metadata.PackageNotFoundError:
            missing.append(match.group("name"))
    return missing
