"""The SageMaker script-mode contract runner."""

import io
import json
import tarfile

from multi_cloud.emulation.jobs.script_mode import (
    ContainerLayout,
    pack_model_dir,
    parse_metrics,
    run_script,
    unpack_model,
)

CONTRACT_SCRIPT = """
import json, os, sys
out = {k: v for k, v in os.environ.items() if k.startswith("SM_")}
out["argv"] = sys.argv[1:]
out["hps_file"] = json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")))
out["train_files"] = sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"]))
open(os.path.join(os.environ["SM_MODEL_DIR"], "contract.json"), "w").write(json.dumps(out))
print("loss=0.25")
print("loss: 0.125")
"""


def test_script_sees_the_container_contract(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(CONTRACT_SCRIPT)
    layout = ContainerLayout(tmp_path / "ml")
    layout.create(["train"])
    (layout.channel("train") / "a.csv").write_text("1,2\n")
    result = run_script(script, layout, hyperparameters={"epochs": 3, "lr": "0.1"}, channels=["train"])
    assert result.succeeded, result.logs
    seen = json.loads((layout.model_dir / "contract.json").read_text())
    assert seen["SM_CHANNEL_TRAIN"] == str(layout.channel("train"))
    assert seen["train_files"] == ["a.csv"]
    assert json.loads(seen["SM_HPS"]) == {"epochs": "3", "lr": "0.1"}
    assert seen["SM_HP_EPOCHS"] == "3"
    assert seen["argv"] == ["--epochs", "3", "--lr", "0.1"]
    assert seen["hps_file"] == {"epochs": "3", "lr": "0.1"}
    assert json.loads(seen["SM_CHANNELS"]) == ["train"]
    assert result.metrics == {"loss": 0.125}


def test_failing_script_reports_its_last_error_lines(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("print('starting')\nraise ValueError('column price is missing')\n")
    result = run_script(script, ContainerLayout(tmp_path / "ml"))
    assert not result.succeeded
    assert "ValueError: column price is missing" in result.failure_reason


def test_failure_file_wins_over_stderr(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text(
        "import os\nopen(os.path.join(os.environ['SM_OUTPUT_DIR'], 'failure'), 'w').write('bad data')\n"
        "raise SystemExit(3)\n"
    )
    result = run_script(script, ContainerLayout(tmp_path / "ml"))
    assert result.returncode == 3 and result.failure_reason == "bad data"


def test_hanging_script_is_stopped_at_the_timeout(tmp_path):
    script = tmp_path / "hang.py"
    script.write_text("import time\nprint('working', flush=True)\ntime.sleep(60)\n")
    result = run_script(script, ContainerLayout(tmp_path / "ml"), timeout=1)
    assert not result.succeeded
    assert "1 s limit" in result.failure_reason
    assert result.seconds < 10


def test_missing_entry_point(tmp_path):
    result = run_script(tmp_path / "nope.py", ContainerLayout(tmp_path / "ml"))
    assert not result.succeeded and "does not exist" in result.failure_reason


def test_metric_definitions_use_the_last_match():
    logs = "epoch 1 acc=0.5\nepoch 2 acc=0.75\n"
    assert parse_metrics(logs, {"accuracy": r"acc=([0-9.]+)"}) == {"accuracy": 0.75}


def test_pack_and_unpack_round_trip(tmp_path):
    model_dir = tmp_path / "model"
    (model_dir / "sub").mkdir(parents=True)
    (model_dir / "model.joblib").write_bytes(b"weights")
    (model_dir / "sub" / "vocab.txt").write_text("a b")
    archive = pack_model_dir(model_dir)
    names = tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz").getnames()
    assert sorted(names) == ["model.joblib", "sub/vocab.txt"]
    out = unpack_model(archive, tmp_path / "out")
    assert (out / "sub" / "vocab.txt").read_text() == "a b"


def test_timeout_kills_the_scripts_children_too(tmp_path):
    import psutil

    script = tmp_path / "spawner.py"
    pid_file = tmp_path / "child.pid"
    script.write_text(
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    result = run_script(script, ContainerLayout(tmp_path / "ml"), timeout=2)
    assert not result.succeeded
    child = int(pid_file.read_text())
    try:
        grandchild = psutil.Process(child)
    except psutil.NoSuchProcess:
        return  # already gone
    # SIGKILL went to the whole group; give the kernel a moment to finish the orphan off
    gone, alive = psutil.wait_procs([grandchild], timeout=5)
    assert not alive or alive[0].status() == psutil.STATUS_ZOMBIE
