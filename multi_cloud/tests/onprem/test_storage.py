"""On-prem object storage: the shared conformance suite plus atomicity, layout and safety checks."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.onprem import atomic_files
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.onprem.storage import LocalObjectStorage
from multi_cloud.testing.conformance.storage import StorageConformance


class TestOnPremStorage(StorageConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStorage:
    storage = LocalObjectStorage("onprem", tmp_path / "objects")
    storage.create_bucket("data")
    return storage


def visible_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "name",
    ["ab", "Upper", "has_underscore", "-start", "end-", "a..b", "192.168.1.1", "x" * 64, "xn--abc", "a.-b"],
)
def test_bad_bucket_names_are_rejected(tmp_path: Path, name: str) -> None:
    storage = LocalObjectStorage("onprem", tmp_path)
    with pytest.raises(InvalidArgument, match="invalid bucket name"):
        storage.create_bucket(name)


def test_valid_bucket_names_and_duplicates(tmp_path: Path) -> None:
    storage = LocalObjectStorage("onprem", tmp_path)
    for name in ("abc", "my-data.2026", "a" * 63):
        assert storage.create_bucket(name).name == name
    with pytest.raises(AlreadyExists):
        storage.create_bucket("abc")
    assert [b.name for b in storage.list_buckets()] == sorted(["abc", "my-data.2026", "a" * 63])
    assert isinstance(storage.list_buckets()[0].created, datetime)


@pytest.mark.parametrize(
    "key", ["../escape", "a/../../escape", "/etc/passwd", "a/./b", "..", "", "nul\x00byte"]
)
def test_keys_that_could_escape_the_bucket_are_rejected(
    store: LocalObjectStorage, tmp_path: Path, key: str
) -> None:
    before = visible_files(tmp_path)
    with pytest.raises(InvalidArgument):
        store.put_object("data", key, b"x")
    assert visible_files(tmp_path) == before
    assert not (tmp_path / "escape").exists()


def test_listing_is_in_exact_key_order_with_tricky_keys(store: LocalObjectStorage) -> None:
    keys = [
        "a",
        "a/b",
        "a-c",
        "a/",
        "a//b",
        "ab",
        "a.d",
        "a.json",
        "b/c/d",
        "é",
        "A",
        "a/b/c",
        "a0",
        "a.blob",
    ]
    for key in keys:
        store.put_object("data", key, key.encode())
    assert [o.key for o in store.list_objects("data", page_size=4)] == sorted(keys)
    assert [o.key for o in store.list_objects("data", "a/")] == sorted(k for k in keys if k.startswith("a/"))
    assert [o.key for o in store.list_objects("data", "a.")] == ["a.blob", "a.d", "a.json"]
    assert all(store.get_object("data", k) == k.encode() for k in keys)  # "a" and "a/b" coexist


def test_pages_continue_from_the_last_key(store: LocalObjectStorage) -> None:
    keys = [f"logs/{day:02d}/{part}.txt" for day in range(1, 6) for part in range(3)]
    for key in keys:
        store.put_object("data", key, b".")
    collected, token, pages = [], "", 0
    while True:
        page, token = store.list_page("data", "logs/", start_after=token, page_size=4)
        collected += [o.key for o in page]
        pages += 1
        if not token:
            break
    assert collected == sorted(keys) and pages == 4
    page, token = store.list_page("data", "logs/", start_after="logs/04/2.txt", page_size=100)
    assert [o.key for o in page] == ["logs/05/0.txt", "logs/05/1.txt", "logs/05/2.txt"] and token == ""
    with pytest.raises(InvalidArgument):
        store.list_page("data", page_size=0)


def test_head_reports_etag_type_metadata_and_time(store: LocalObjectStorage) -> None:
    data = os.urandom(3000)
    put = store.put_object("data", "x/y.bin", data, content_type="image/png", metadata={"k": "v"})
    head = store.head_object("data", "x/y.bin")
    assert head == put
    assert head.etag == f'"{hashlib.md5(data).hexdigest()}"'
    assert head.last_modified is not None and head.last_modified.tzinfo is not None
    with pytest.raises(InvalidArgument):
        store.put_object("data", "m", b"", metadata={"n": 1})  # type: ignore[dict-item]


def test_overwrite_replaces_data_and_metadata_together_and_leaves_no_garbage(
    store: LocalObjectStorage, tmp_path: Path
) -> None:
    store.put_object("data", "k", b"old", metadata={"v": "1"})
    store.put_object("data", "k", b"new!", metadata={"v": "2"})
    assert store.get_object("data", "k") == b"new!"
    assert store.head_object("data", "k").metadata == {"v": "2"}
    assert len([f for f in visible_files(tmp_path) if f.endswith(".blob")]) == 1


def test_a_failed_commit_leaves_the_previous_object_intact(
    store: LocalObjectStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put_object("data", "report.csv", b"version 1", metadata={"v": "1"})
    real_replace = os.replace
    calls = []

    def crash_on_commit(src: str, dst: str) -> None:
        calls.append(dst)
        if str(dst).endswith(".json"):  # the data file is in place; fail the metadata commit
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(atomic_files.os, "replace", crash_on_commit)
    with pytest.raises(OSError, match="disk full"):
        store.put_object("data", "report.csv", b"version 2, much longer", metadata={"v": "2"})
    with pytest.raises(OSError):
        store.put_object("data", "brand-new.csv", b"never visible")
    monkeypatch.undo()
    assert len(calls) == 4  # blob then record, for each put
    assert store.get_object("data", "report.csv") == b"version 1"
    assert store.head_object("data", "report.csv").metadata == {"v": "1"}
    assert not store.exists("data", "brand-new.csv")
    assert [o.key for o in store.list_objects("data")] == ["report.csv"]
    leftovers = [f for f in visible_files(tmp_path) if ".tmp-" in f or f.endswith(".blob")]
    assert len(leftovers) == 1  # only the committed object's data


def test_a_process_killed_mid_write_never_exposes_a_partial_object(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    store = LocalObjectStorage("onprem", root)
    store.create_bucket("data")
    store.put_object("data", "model.bin", b"A" * 1000, metadata={"v": "1"})
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from multi_cloud.onprem.storage import LocalObjectStorage
        from multi_cloud.onprem import atomic_files
        def die(fd):  # the bytes are written but not committed: the machine dies here
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_files.os.fsync = die
        store = LocalObjectStorage("onprem", Path({str(root)!r}))
        store.put_object("data", "model.bin", b"B" * 5_000_000, metadata={{"v": "2"}})
        """
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert process.returncode == -9, process.stderr.decode()
    assert any(".tmp-" in f for f in visible_files(root)), "the crash should have left a temp file behind"
    assert store.get_object("data", "model.bin") == b"A" * 1000
    assert store.head_object("data", "model.bin").metadata == {"v": "1"}
    assert [(o.key, o.size) for o in store.list_objects("data")] == [("model.bin", 1000)]
    assert store.collect_garbage("data", older_than_seconds=0) >= 1
    assert not any(".tmp-" in f for f in visible_files(root))
    assert store.get_object("data", "model.bin") == b"A" * 1000


def test_delete_bucket_needs_force_when_not_empty(store: LocalObjectStorage) -> None:
    store.put_object("data", "a/b", b"1")
    with pytest.raises(InvalidArgument, match="force=True"):
        store.delete_bucket("data")
    store.delete_object("data", "a/b")
    store.delete_bucket("data")  # empty now: no force needed
    assert store.list_buckets() == []
    with pytest.raises(NotFound):
        store.delete_bucket("data")


def test_delete_object_prunes_empty_prefix_directories(store: LocalObjectStorage, tmp_path: Path) -> None:
    store.put_object("data", "deep/er/key", b"1")
    store.delete_object("data", "deep/er/key")
    assert list((tmp_path / "objects" / "data" / "objects").iterdir()) == []
    with pytest.raises(NotFound):
        store.delete_object("data", "deep/er/key")


def test_missing_bucket_raises_not_found_with_the_fix(store: LocalObjectStorage) -> None:
    with pytest.raises(NotFound, match="create_bucket"):
        store.put_object("nope-bucket", "k", b"1")
    with pytest.raises(NotFound):
        list(store.list_objects("nope-bucket"))


def test_upload_file_and_download_prefix_round_trip(store: LocalObjectStorage, tmp_path: Path) -> None:
    source = tmp_path / "train.csv"
    source.write_text("a,b\n1,2\n")
    info = store.upload_file(source, "data", "channels/train/train.csv")
    assert info.content_type == "text/csv" and info.size == source.stat().st_size
    store.put_object("data", "channels/train/extra/part-1.csv", b"3,4\n")
    store.put_object("data", "channels/validation/v.csv", b"5,6\n")
    uri = store.uri("data", "channels/train/")
    assert uri == "onprem://data/channels/train/"
    written = store.download_prefix(uri, tmp_path / "dest")
    relative = sorted(str(p.relative_to(tmp_path / "dest")) for p in written)
    assert relative == ["extra/part-1.csv", "train.csv"]
    assert (tmp_path / "dest" / "train.csv").read_text() == "a,b\n1,2\n"
    single = store.download_prefix(store.uri("data", "channels/validation/v.csv"), tmp_path / "one")
    assert [p.name for p in single] == ["v.csv"] and single[0].read_bytes() == b"5,6\n"
    with pytest.raises(NotFound, match="no objects"):
        store.download_prefix(store.uri("data", "missing/"), tmp_path / "none")
    with pytest.raises(InvalidArgument):
        store.download_prefix("s3://data/channels/", tmp_path / "wrong")
