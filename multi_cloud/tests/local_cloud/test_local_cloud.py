"""The local cloud: in-process backends over the wire, and the background daemon's lifecycle."""

import os
import socket
import urllib.request

import boto3
import pytest
from multi_cloud.core.errors import AlreadyExists, NotFound
from multi_cloud.local_cloud import control
from multi_cloud.local_cloud.cloud import LocalCloud


def test_session_cloud_speaks_s3_over_the_wire(clean_cloud):
    env = clean_cloud.env()
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    s3 = boto3.client("s3")  # endpoint and credentials come from the exported environment
    s3.create_bucket(Bucket="wire-test")
    s3.put_object(Bucket="wire-test", Key="k", Body=b"v")
    assert s3.get_object(Bucket="wire-test", Key="k")["Body"].read() == b"v"


def test_reset_forgets_state(local_cloud):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="forget-me")
    local_cloud.reset()
    assert s3.list_buckets()["Buckets"] == []


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="unknown local backend"):
        LocalCloud(["nonesuch"])


def test_env_is_applied_and_restored(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://before")
    cloud = LocalCloud(["moto"])
    cloud.backends[0].port = 1234
    previous = cloud.apply_env()
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    cloud.restore_env(previous)
    assert os.environ["AWS_ENDPOINT_URL"] == "http://before"


def test_background_lifecycle(state_dir):
    first = control.up()
    try:
        assert first.running and first.pid
        assert "moto" in first.backends
        with pytest.raises(AlreadyExists, match="already running"):
            control.up()
        current = control.status()
        assert current.pid == first.pid
        url = current.env["AWS_ENDPOINT_URL"]
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
        exports = control.shell_exports(current.env)
        assert f"export AWS_ENDPOINT_URL={url}" in exports
    finally:
        stopped = control.down()
    assert stopped == first.pid
    assert not control.status().running
    with pytest.raises(NotFound):
        control.down()


def test_two_ups_at_once_start_one_local_cloud(state_dir):
    from concurrent.futures import ThreadPoolExecutor

    def up_or_refused() -> object:
        try:
            return control.up()
        except AlreadyExists as refused:
            return refused

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda _: up_or_refused(), range(2)))
    try:
        started = [o for o in outcomes if isinstance(o, control.Status)]
        refused = [o for o in outcomes if isinstance(o, AlreadyExists)]
        assert len(started) == 1 and len(refused) == 1, outcomes
        assert "already running" in str(refused[0])
        assert control.status().pid == started[0].pid
    finally:
        control.down()
    daemons = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and _cmdline(pid).endswith(f"--state-dir\0{state_dir}\0")
    ]
    assert daemons == [], "a second daemon outlived `down`"


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline") as cmdline:
            return cmdline.read()
    except OSError:
        return ""


def test_taken_port_moves_to_a_free_one(state_dir, monkeypatch):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    monkeypatch.setenv("CLOUDAI_MOTO_PORT", str(taken))
    try:
        status = control.up()
        try:
            url = status.backends["moto"]["url"]
            assert url.startswith("http://127.0.0.1:") and not url.endswith(f":{taken}")
        finally:
            control.down()
    finally:
        blocker.close()


def test_stale_pid_file_is_cleaned(state_dir):
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "local-cloud.pid").write_text("999999")
    status = control.status()
    assert not status.running
    assert "stale" in status.note
    assert not (state_dir / "local-cloud.pid").exists()


def test_free_preferred_port_is_used(state_dir, monkeypatch):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    wanted = probe.getsockname()[1]
    probe.close()
    monkeypatch.setenv("CLOUDAI_MOTO_PORT", str(wanted))
    status = control.up()
    try:
        assert status.backends["moto"]["url"] == f"http://127.0.0.1:{wanted}"
    finally:
        control.down()


def test_ensure_running_does_nothing_in_cloud_mode(monkeypatch):
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud.session import ensure_running

    monkeypatch.setenv("CLOUDAI_MODE", "cloud")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert ensure_running() == {}
        assert "AWS_ENDPOINT_URL" not in os.environ
    finally:
        get_settings.cache_clear()
