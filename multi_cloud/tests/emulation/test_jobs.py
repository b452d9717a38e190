"""The jobs toolkit: contracts per cloud, the fork server, stop requests, failure reasons."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from multi_cloud.emulation.jobs.contracts import AzureMLContract, SageMakerContract, VertexContract
from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.preload import ForkedChild, fork_server, preload_launcher
from multi_cloud.emulation.jobs.script_mode import run_script

ENV_DUMP = "import json, os, sys\nprint(json.dumps({'argv': sys.argv[1:], 'env': dict(os.environ)}))\n"


def _dump(tmp_path: Path, contract, **kwargs):  # type: ignore[no-untyped-def]
    script = tmp_path / "dump.py"
    script.write_text(ENV_DUMP)
    result = run_script(script, ContainerLayout(tmp_path / "ml"), contract=contract, **kwargs)
    assert result.succeeded, result.failure_reason
    return json.loads(result.logs.splitlines()[0])


def test_sagemaker_contract_sets_sm_variables_and_arguments(tmp_path: Path) -> None:
    seen = _dump(tmp_path, SageMakerContract(), hyperparameters={"epochs": 3}, channels=["train"])
    assert seen["argv"] == ["--epochs", "3"]
    assert seen["env"]["SM_CHANNEL_TRAIN"] == str(tmp_path / "ml" / "input" / "data" / "train")
    assert json.loads(seen["env"]["SM_HPS"]) == {"epochs": "3"}


def test_vertex_contract_sets_aip_variables_and_passes_args(tmp_path: Path) -> None:
    contract = VertexContract(args=("--lr", "0.1"), training_data_uri="gs://b/train.csv", data_format="csv")
    seen = _dump(tmp_path, contract)
    assert seen["argv"] == ["--lr", "0.1"]
    assert seen["env"]["AIP_TRAINING_DATA_URI"] == "gs://b/train.csv"
    assert seen["env"]["AIP_MODEL_DIR"] == str(tmp_path / "ml" / "model")
    assert json.loads(seen["env"]["CLUSTER_SPEC"])["task"] == {"type": "workerpool0", "index": 0}
    assert "SM_MODEL_DIR" not in seen["env"]


def test_azureml_contract_sets_azureml_variables(tmp_path: Path) -> None:
    seen = _dump(tmp_path, AzureMLContract(run_id="run-1", experiment_name="exp"), channels=["data"])
    assert seen["env"]["AZUREML_RUN_ID"] == "run-1"
    assert seen["env"]["MLFLOW_EXPERIMENT_NAME"] == "exp"
    assert seen["env"]["AZURE_ML_INPUT_data"].endswith("input/data/data")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork server needs POSIX fork")
def test_jobs_fork_from_the_preloaded_server_as_fresh_processes(tmp_path: Path) -> None:
    script = tmp_path / "who.py"
    script.write_text(
        "import json, os, sys\n"
        "preloaded = 'sklearn.ensemble' in sys.modules\n"
        "print(json.dumps([os.getpid(), os.getpgid(0), sys.argv[1:], os.environ.get('X'), preloaded]))\n"
    )
    assert fork_server() is not None
    out, err = tmp_path / "out", tmp_path / "err"
    child = preload_launcher([sys.executable, str(script), "--a", "1"], tmp_path, {"X": "y"}, out, err)
    assert isinstance(child, ForkedChild)
    while child.poll() is None:
        time.sleep(0.01)
    pid, pgid, argv, x, preloaded = json.loads(out.read_text())
    assert pid == child.pid == pgid  # a process group of its own, so a kill takes its children too
    assert argv == ["--a", "1"] and x == "y"
    assert preloaded  # scikit-learn was imported once, by the server
    assert child.poll() == 0


STARTER = """
import sys, time
from pathlib import Path
from multi_cloud.emulation.jobs.preload import fork_server, preload_launcher
server = fork_server()
job = preload_launcher([sys.executable, sys.argv[1]], Path(sys.argv[2]), {}, Path(sys.argv[2]) / "out",
                       Path(sys.argv[2]) / "err")
print(server.pid, job.pid, flush=True)
time.sleep(600)
"""


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init to reap it is gone too
            if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_the_fork_server_and_its_jobs_end_when_their_starter_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess

    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\ntime.sleep(600)\n")
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(sleeper), str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert starter.stdout is not None
        server_pid, job_pid = map(int, starter.stdout.readline().split())
        assert not _gone(server_pid, 0.3) and not _gone(job_pid, 0.1)
        starter.send_signal(signal.SIGKILL)  # no atexit, no cleanup: only the closed pipe tells the server
        starter.wait()
        assert _gone(server_pid, 10.0), "the fork server outlived the process that started it"
        assert _gone(job_pid, 10.0), "a job outlived its fork server"
    finally:
        starter.kill()


def test_a_fresh_interpreter_runs_when_the_command_is_not_python(tmp_path: Path) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    child = preload_launcher(["/bin/sh", "-c", "echo $X"], tmp_path, {"X": "shell"}, out, err)
    assert not isinstance(child, ForkedChild)
    while child.poll() is None:
        time.sleep(0.01)
    assert out.read_text().strip() == "shell"


def test_stop_request_ends_the_script_and_says_so(tmp_path: Path) -> None:
    script = tmp_path / "sleepy.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    deadline = time.monotonic() + 0.5
    result = run_script(
        script,
        ContainerLayout(tmp_path / "ml"),
        should_stop=lambda: time.monotonic() > deadline,
        grace_seconds=0.2,
    )
    assert result.stopped and not result.succeeded
    assert result.seconds < 10
    assert "stopped" in result.failure_reason


def test_failure_file_is_the_failure_reason(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text(
        "import os, sys\n"
        "open(os.path.join(os.environ['SM_OUTPUT_DIR'], 'failure'), 'w').write('label column missing')\n"
        "sys.exit(3)\n"
    )
    result = run_script(script, ContainerLayout(tmp_path / "ml"))
    assert result.returncode == 3
    assert result.failure_reason == "label column missing"


def test_watch_sees_the_output_while_the_script_runs(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text("import time\nprint('epoch 1', flush=True)\ntime.sleep(2.5)\nprint('done')\n")
    seen: list[str] = []
    result = run_script(script, ContainerLayout(tmp_path / "job"), watch=seen.append, preload=False)
    assert result.succeeded
    assert any("epoch 1" in text and "done" not in text for text in seen), seen
