"""Lambda handlers run isolated for mistakes: scrubbed environment, private /tmp, limits, no survivors."""

from __future__ import annotations

import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_ai_services.emulator.lambda_runtime import install
from aws_ai_services.serverless.lambda_functions import LambdaFunctions
from botocore.config import Config

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="process tracking reads /proc (Linux)"
)

HANDLER = """
import os, resource, subprocess, sys, tempfile, time

def handler(event, context):
    action = event["action"]
    if action == "env":
        return {"env": dict(os.environ), "cwd": os.getcwd(), "tmp": tempfile.gettempdir()}
    if action == "limits":
        names = ("RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_AS")
        return {name: resource.getrlimit(getattr(resource, name))[0] for name in names}
    if action == "big_file":
        fd = os.open(os.path.join(tempfile.gettempdir(), "big"), os.O_WRONLY | os.O_CREAT)
        try:
            os.pwrite(fd, b"x", 600 * 1024 * 1024)  # sparse: fails before writing 600 MB
        except OSError as exc:
            return {"errno": exc.errno}
        finally:
            os.close(fd)
        return {"errno": 0}
    if action == "orphan":  # a child in its own session, as `setsid sleep 600` would be
        child = subprocess.Popen(["sleep", "600"], start_new_session=True)
        with open(event["pid_file"], "w") as out:
            out.write(str(child.pid))
        time.sleep(event.get("sleep", 0))
        return {"pid": child.pid}
    if action == "fork_bomb":  # bounded, so a regression cannot take the machine down
        for _ in range(4000):
            try:
                pid = os.fork()
            except OSError:
                time.sleep(5)
                return {"refused": True}
            if pid == 0:
                time.sleep(60)
                os._exit(0)
        return {"refused": False}
    raise ValueError(action)
"""


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


@pytest.fixture(scope="module", autouse=True)
def lambda_runtime() -> None:
    install()


@pytest.fixture
def raw_lambda(clean_cloud: Any, boto_client: Callable[..., Any]) -> Any:
    return boto_client("lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=60))


def create(raw_lambda: Any, name: str, *, timeout: int = 30, env: dict[str, str] | None = None) -> None:
    raw_lambda.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=LambdaFunctions().role_arn,
        Handler="app.handler",
        Code={"ZipFile": package()},
        Timeout=timeout,
        Environment={"Variables": env or {}},
    )


def invoke(raw_lambda: Any, name: str, event: dict[str, Any]) -> tuple[Any, str]:
    response = raw_lambda.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return json.loads(response["Payload"].read()), response.get("FunctionError", "")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def wait_gone(pid: int, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while alive(pid) and time.monotonic() - started < timeout:
        time.sleep(0.02)
    return time.monotonic() - started


def processes_of(function: str) -> list[int]:
    needle = f"AWS_LAMBDA_FUNCTION_NAME={function}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_environment_is_scrubbed_with_lambdas_variables(
    raw_lambda: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SECRET_TOKEN", "hunter2")
    create(raw_lambda, "env-fn", env={"STAGE": "test"})
    payload, error = invoke(raw_lambda, "env-fn", {"action": "env"})
    assert error == ""
    env = payload["env"]
    assert "MY_SECRET_TOKEN" not in env
    assert "hunter2" not in json.dumps(env)
    assert env["STAGE"] == "test"
    for name in (
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ", "LANG", "PATH",
        "LD_LIBRARY_PATH", "PYTHONPATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL", "TMPDIR",
    ):  # fmt: skip
        assert env.get(name), name
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env-fn"
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_ENDPOINT_URL"] == os.environ["AWS_ENDPOINT_URL"]
    assert payload["cwd"] == env["LAMBDA_TASK_ROOT"]
    assert (Path(env["LAMBDA_TASK_ROOT"]) / "app.py").is_file()
    assert payload["tmp"] == env["TMPDIR"]
    assert Path(env["TMPDIR"]).stat().st_mode & 0o777 == 0o700
    other, _ = (create(raw_lambda, "env-other"), invoke(raw_lambda, "env-other", {"action": "env"}))[1]
    assert other["tmp"] != payload["tmp"]  # each function (execution environment) has its own /tmp


def test_limits_on_files_file_size_and_processes(raw_lambda: Any) -> None:
    create(raw_lambda, "limits-fn")
    limits, _ = invoke(raw_lambda, "limits-fn", {"action": "limits"})
    assert limits["RLIMIT_NOFILE"] == 1024
    assert limits["RLIMIT_FSIZE"] == 512 * 1024 * 1024
    assert limits["RLIMIT_NPROC"] > 0
    assert limits["RLIMIT_AS"] > 0
    big, error = invoke(raw_lambda, "limits-fn", {"action": "big_file"})
    assert error == ""
    assert big["errno"] == 27  # EFBIG: File too large


def test_fork_bomb_is_contained(raw_lambda: Any) -> None:
    create(raw_lambda, "bomb-fn", timeout=30)
    started = time.monotonic()
    payload, error = invoke(raw_lambda, "bomb-fn", {"action": "fork_bomb"})
    elapsed = time.monotonic() - started
    # a non-root user gets EAGAIN from RLIMIT_NPROC; root (exempt from it) has the worker killed at the
    # process limit, or at the memory limit first (each forked interpreter's own pages count, as in Lambda)
    assert (
        payload.get("refused") is True
        or "more than the limit" in payload.get("errorMessage", "")
        or payload.get("errorType") == "Runtime.OutOfMemory"
    ), payload
    assert elapsed < 25
    deadline = time.monotonic() + 10
    while processes_of("bomb-fn") and time.monotonic() < deadline:
        time.sleep(0.1)
    if os.geteuid() == 0:
        assert error == "Unhandled"
    else:
        raw_lambda.delete_function(FunctionName="bomb-fn")
    deadline = time.monotonic() + 10
    while processes_of("bomb-fn") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_of("bomb-fn") == []


def test_a_child_in_its_own_session_dies_at_the_timeout(raw_lambda: Any, tmp_path: Path) -> None:
    create(raw_lambda, "orphan-fn", timeout=1)
    pid_file = tmp_path / "pid"
    payload, error = invoke(
        raw_lambda, "orphan-fn", {"action": "orphan", "pid_file": str(pid_file), "sleep": 30}
    )
    assert error == "Unhandled"
    assert "timed out" in payload["errorMessage"]
    pid = int(pid_file.read_text())
    assert wait_gone(pid) < 5, f"the handler's setsid child {pid} survived the timeout"


def test_a_child_in_its_own_session_dies_when_the_local_cloud_stops(tmp_path: Path) -> None:
    import boto3
    from multi_cloud.local_cloud.cloud import LocalCloud

    cloud = LocalCloud(["moto"], preferred_ports=False).start()
    try:
        session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        url = cloud.backends[0].url
        client = session.client("lambda", endpoint_url=url, config=Config(retries={"total_max_attempts": 1}))
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = session.client("iam", endpoint_url=url).create_role(
            RoleName=f"orphan-stop-{time.time_ns()}", AssumeRolePolicyDocument=json.dumps(trust)
        )
        name = f"orphan-stop-{time.time_ns()}"
        client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role["Role"]["Arn"],
            Handler="app.handler",
            Code={"ZipFile": package()},
        )
        pid_file = tmp_path / "pid"
        payload, error = invoke(client, name, {"action": "orphan", "pid_file": str(pid_file)})
        assert error == ""
        pid = payload["pid"]
        assert alive(pid)  # a warm execution environment keeps its processes, as Lambda's does
    finally:
        cloud.stop()
    assert wait_gone(pid) < 5, f"the handler's setsid child {pid} survived the local cloud's stop"
