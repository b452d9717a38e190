"""Safe tar extraction: the same refusals with tarfile's data filter and without it (Debian 12's 3.11.2)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from multi_cloud.core.archives import UnsafeArchive, safe_extractall


def _archive(*members: tuple[str, bytes | None, str | None]) -> bytes:
    """A .tar.gz of (name, file bytes or None, symlink target or None)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            else:
                payload = data or b""
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


# Both paths where this Python has the data filter (3.10.12+, 3.11.4+); only the by-hand one where it has not.
PATHS = ["data-filter", "by-hand"] if hasattr(tarfile, "data_filter") else ["by-hand"]


@pytest.fixture(params=PATHS)
def python_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "by-hand":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    return str(request.param)


def _extract(archive: bytes, dest: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        safe_extractall(tar, dest)


def test_plain_files_and_folders_extract(python_kind: str, tmp_path: Path) -> None:
    _extract(_archive(("model.joblib", b"weights", None), ("code/train.py", b"print(1)", None)), tmp_path)
    assert (tmp_path / "model.joblib").read_bytes() == b"weights"
    assert (tmp_path / "code" / "train.py").read_text() == "print(1)"


@pytest.mark.parametrize(
    "member",
    [("../escape.txt", b"x", None), ("link", None, "/etc/passwd"), ("link", None, "../../outside")],
    ids=["dot-dot", "symlink-absolute", "symlink-up"],
)
def test_members_leaving_the_destination_are_refused(
    python_kind: str, tmp_path: Path, member: tuple[str, bytes | None, str | None]
) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(UnsafeArchive):
        _extract(_archive(member), dest)
    assert not (tmp_path / "escape.txt").exists()


def test_absolute_names_never_land_outside(python_kind: str, tmp_path: Path) -> None:
    """The data filter strips the leading slash; by hand the member is refused. Neither writes to /."""
    dest = tmp_path / "dest"
    dest.mkdir()
    name = f"/tmp/{tmp_path.name}-absolute.txt"
    try:
        _extract(_archive((name, b"x", None)), dest)
    except UnsafeArchive:
        pass
    assert not Path(name).exists()
