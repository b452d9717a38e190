"""On-prem functions: the shared conformance suite plus cold/warm starts, limits, isolation and cleanup."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from multi_cloud.core.errors import InvalidArgument, NotFound, Throttled
from multi_cloud.onprem.functions import OnPremFunctions
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.functions import FunctionConformance

SOURCE = """
import os
import subprocess
import subprocess
import sys
import time

INVOCATIONS = 0


def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    action = event.get("action", "")
    if action == "spawn-and-hang":
        child = subprocess.Popen(["sleep", "60"])
        with open(event["pid_file"], "w") as f:
            f.write(f"{os.getpid()} {child.pid}")
        time.sleep(60)
    if action == "setsid-child":  # a child in its own session, as `setsid sleep 600` would be
        child = subprocess.Popen(["sleep", "600"], start_new_session=True)
        with open(event["pid_file"], "w") as f:
            f.write(str(child.pid))
        time.sleep(event.get("seconds", 0))
    if action == "environment":
        return {"env": dict(os.environ), "cwd": os.getcwd()}
    if action == "allocate":
        block = bytearray(event["mb"] * 1024 * 1024)
        return len(block) // (1024 * 1024)
    if action == "import-stack":  # what a small ML function imports
        import sklearn.ensemble

        return sklearn.ensemble.RandomForestClassifier.__name__
    if action == "crash":
        os._exit(3)
    if action == "unserialisable":
        return {"when": object()}
    if action == "nap":
        started = time.time()
        time.sleep(event["seconds"])
        return [started, time.time()]
    if action == "shell":
        os.system("echo from-a-child-process")
        sys.stderr.write("to-stderr\\n")
    return {
        "pid": os.getpid(),
        "invocations": INVOCATIONS,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "memory": context.memory_limit_in_mb,
        "version": context.function_version,
        "name": context.function_name,
    }
"""


class TestOnPremFunctions(FunctionConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> Iterator[OnPremProvider]:
        provider = OnPremProvider(root=tmp_path / "cloud")
        yield provider
        provider.close()


@pytest.fixture
def code(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text(SOURCE)
    return source


@pytest.fixture
def functions(tmp_path: Path) -> Iterator[OnPremFunctions]:
    service = OnPremFunctions("onprem", tmp_path / "functions")
    yield service
    service.close()


def gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_first_invocation_is_cold_then_warm_in_the_same_process(
    functions: OnPremFunctions, code: Path
) -> None:
    functions.deploy("fn", str(code), "app.handler", timeout_seconds=5, memory_mb=192)
    first, second, third = (functions.invoke("fn", {}) for _ in range(3))
    assert [r.cold_start for r in (first, second, third)] == [True, False, False]
    assert first.payload["pid"] == second.payload["pid"] == third.payload["pid"]
    assert [r.payload["invocations"] for r in (first, second, third)] == [1, 2, 3]  # module state survives
    assert len({r.payload["request_id"] for r in (first, second, third)}) == 3
    assert 0 < first.payload["remaining_ms"] <= 5000
    assert (
        first.payload["memory"] == 192 and first.payload["name"] == "fn" and first.payload["version"] == "1"
    )
    assert "Init Duration" in first.logs and "Init Duration" not in second.logs
    assert functions.warm_workers("fn") == 1


def test_redeploy_crash_and_idle_timeout_each_force_a_cold_start(tmp_path: Path, code: Path) -> None:
    functions = OnPremFunctions("onprem", tmp_path / "fns", idle_seconds=0.3)
    try:
        functions.deploy("fn", str(code), "app.handler")
        warm_pid = functions.invoke("fn", {}).payload["pid"]
        assert not functions.invoke("fn", {}).cold_start
        assert functions.deploy("fn", str(code), "app.handler").version == "2"
        redeployed = functions.invoke("fn", {})
        assert redeployed.cold_start and redeployed.payload["version"] == "2"
        assert gone(warm_pid), "the old version's worker should have been stopped"
        crashed = functions.invoke("fn", {"action": "crash"})
        assert crashed.error_type == "Runtime.ExitError" and "status 3" in crashed.error_message
        assert functions.invoke("fn", {}).cold_start
        time.sleep(0.5)
        assert functions.invoke("fn", {}).cold_start
    finally:
        functions.close()


def test_timeout_kills_the_handler_and_its_children(
    functions: OnPremFunctions, code: Path, tmp_path: Path
) -> None:
    functions.deploy("hang", str(code), "app.handler", timeout_seconds=1)
    pid_file = tmp_path / "pids"
    started = time.monotonic()
    result = functions.invoke("hang", {"action": "spawn-and-hang", "pid_file": str(pid_file)})
    elapsed = time.monotonic() - started
    assert result.error_type == "TimeoutError" and result.status_code == 200
    assert result.error_message == "Task timed out after 1.00 seconds"
    assert result.payload["errorType"] == "TimeoutError"
    assert 1.0 <= elapsed < 5.0
    worker_pid, sleep_pid = (int(p) for p in pid_file.read_text().split())
    assert gone(worker_pid) and gone(sleep_pid)
    assert not [
        p
        for p in psutil.Process().children(recursive=True)
        if p.pid in (worker_pid, sleep_pid) and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert functions.invoke("hang", {}).cold_start  # a fresh worker serves the next call


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sessions are tracked through /proc (Linux)")
def test_a_child_in_its_own_session_dies_at_the_timeout_and_at_close(
    functions: OnPremFunctions, code: Path, tmp_path: Path
) -> None:
    functions.deploy("setsid", str(code), "app.handler", timeout_seconds=1)
    at_timeout, at_close = tmp_path / "timeout.pid", tmp_path / "close.pid"
    result = functions.invoke(
        "setsid", {"action": "setsid-child", "pid_file": str(at_timeout), "seconds": 30}
    )
    assert result.error_type == "TimeoutError"
    assert gone(int(at_timeout.read_text()))
    assert functions.invoke("setsid", {"action": "setsid-child", "pid_file": str(at_close)}).error_type == ""
    survivor = int(at_close.read_text())
    assert not gone(survivor, timeout=0.2)  # a warm worker's processes live on, as in Lambda
    functions.close()
    assert gone(survivor)


def test_environment_is_scrubbed(
    functions: OnPremFunctions, code: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SECRET_TOKEN", "hunter2")
    functions.deploy("env", str(code), "app.handler", environment={"STAGE": "dev"})
    result = functions.invoke("env", {"action": "environment"})
    env = result.payload["env"]
    assert "MY_SECRET_TOKEN" not in env and "hunter2" not in str(env)
    assert env["STAGE"] == "dev"
    assert result.payload["cwd"] == env["LAMBDA_TASK_ROOT"]
    assert Path(env["TMPDIR"]).is_dir() and Path(env["TMPDIR"]).stat().st_mode & 0o777 == 0o700
    functions.close()
    assert not Path(env["TMPDIR"]).exists()  # the execution environment's /tmp goes with its worker


def test_memory_limit_turns_a_big_allocation_into_memory_error(
    functions: OnPremFunctions, code: Path
) -> None:
    functions.deploy("mem", str(code), "app.handler", memory_mb=128)
    assert functions.invoke("mem", {"action": "allocate", "mb": 40}).payload == 40
    result = functions.invoke("mem", {"action": "allocate", "mb": 4096})  # past the address-space guard
    assert result.error_type == "MemoryError"
    assert "MemoryError" in result.traceback
    assert functions.invoke("mem", {"action": "allocate", "mb": 40}).payload == 40  # still warm and usable


def test_the_scientific_stack_loads_within_256_mb(functions: OnPremFunctions, code: Path) -> None:
    # scikit-learn holds ~120 MB but maps far more address space (OpenBLAS buffers, shared libraries):
    # the limit counts resident memory, as Lambda and Cloud Functions do, so it loads
    functions.deploy("stack", str(code), "app.handler", memory_mb=256)
    result = functions.invoke("stack", {"action": "import-stack"})
    assert result.error_type == "" and result.payload == "RandomForestClassifier", result.traceback
    used = re.search(r"Max Memory Used: (\d+) MB", result.logs)
    assert used is not None and 50 < int(used.group(1)) <= 256, result.logs


def test_non_json_results_and_events(functions: OnPremFunctions, code: Path) -> None:
    functions.deploy("fn", str(code), "app.handler")
    result = functions.invoke("fn", {"action": "unserialisable"})
    assert result.error_type == "Runtime.MarshalError"
    assert "not JSON serializable" in result.error_message
    with pytest.raises(InvalidArgument, match="JSON-serialisable"):
        functions.invoke("fn", {"when": object()})


def test_output_of_child_processes_and_stderr_is_captured(functions: OnPremFunctions, code: Path) -> None:
    functions.deploy("fn", str(code), "app.handler")
    logs = functions.invoke("fn", {"action": "shell"}).logs
    assert "from-a-child-process" in logs and "to-stderr" in logs
    assert logs.startswith("START RequestId:") and "REPORT RequestId:" in logs
    assert "from-a-child-process" not in functions.invoke("fn", {}).logs  # each invocation has its own logs


def test_concurrency_limit_throttles_or_queues(tmp_path: Path, code: Path) -> None:
    strict = OnPremFunctions("onprem", tmp_path / "strict", max_concurrency=1, max_wait_seconds=0)
    queued = OnPremFunctions("onprem", tmp_path / "queued", max_concurrency=1, max_wait_seconds=20)
    try:
        for service in (strict, queued):
            service.deploy("fn", str(code), "app.handler")
            service.invoke("fn", {})  # warm up
        busy = threading.Thread(target=strict.invoke, args=("fn", {"action": "nap", "seconds": 1.0}))
        busy.start()
        time.sleep(0.3)
        with pytest.raises(Throttled, match="concurrency limit"):
            strict.invoke("fn", {})
        busy.join()
        results = []
        threads = [
            threading.Thread(
                target=lambda: results.append(queued.invoke("fn", {"action": "nap", "seconds": 0.4}))
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        (a_start, a_end), (b_start, b_end) = sorted(r.payload for r in results)
        assert b_start >= a_end  # the second waited for the first: never two at once
    finally:
        strict.close()
        queued.close()


def test_deploy_validates_the_handler_statically(
    functions: OnPremFunctions, code: Path, tmp_path: Path
) -> None:
    with pytest.raises(InvalidArgument, match="no missing.py"):
        functions.deploy("fn", str(code), "missing.handler")
    with pytest.raises(InvalidArgument, match="defines no top-level 'nothere'"):
        functions.deploy("fn", str(code), "app.nothere")
    with pytest.raises(InvalidArgument, match="module.function"):
        functions.deploy("fn", str(code), "handler")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.py").write_text("def handler(event, context)\n    return 1\n")
    with pytest.raises(InvalidArgument, match="syntax error"):
        functions.deploy("fn", str(broken), "bad.handler")
    with pytest.raises(InvalidArgument, match="function name"):
        functions.deploy("no spaces", str(code), "app.handler")
    with pytest.raises(InvalidArgument, match="memory_mb"):
        functions.deploy("fn", str(code), "app.handler", memory_mb=16)
    with pytest.raises(NotFound):
        functions.deploy("fn", str(tmp_path / "nowhere"), "app.handler")
    assert functions.list_functions() == []


def test_import_errors_come_back_as_results(functions: OnPremFunctions, tmp_path: Path) -> None:
    source = tmp_path / "imp"
    source.mkdir()
    (source / "app.py").write_text(
        "import not_a_real_module_xyz\n\ndef handler(event, context):\n    return 1\n"
    )
    functions.deploy("imp", str(source), "app.handler")
    result = functions.invoke("imp", {})
    assert result.error_type == "Runtime.ImportModuleError"
    assert "not_a_real_module_xyz" in result.error_message and result.cold_start


def test_deployments_persist_and_close_stops_warm_workers(tmp_path: Path, code: Path) -> None:
    first = OnPremFunctions("onprem", tmp_path / "fns")
    first.deploy("fn", str(code), "app.handler")
    pid = first.invoke("fn", {}).payload["pid"]
    first.close()
    assert gone(pid)
    second = OnPremFunctions("onprem", tmp_path / "fns")
    try:
        assert [f.name for f in second.list_functions()] == ["fn"]
        assert second.get_function("fn").version == "1"
        assert second.invoke("fn", {}).cold_start
    finally:
        second.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sessions are tracked through /proc (Linux)")
def test_a_child_in_its_own_session_dies_with_the_process_that_runs_the_functions(
    code: Path, tmp_path: Path
) -> None:
    """Even when that process is killed outright (``cloudai local down`` escalating to SIGKILL)."""
    pid_file = tmp_path / "child.pid"
    script = (
        "import os, sys\n"
        "from multi_cloud.onprem.functions import OnPremFunctions\n"
        f"service = OnPremFunctions('onprem', {str(tmp_path / 'functions')!r})\n"
        f"service.deploy('f', {str(code)!r}, 'app.handler')\n"
        f"service.invoke('f', {{'action': 'setsid-child', 'pid_file': {str(pid_file)!r}}})\n"
        "os._exit(0)  # no clean-up runs, as if killed\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert gone(int(pid_file.read_text()))
