"""The shared script-mode launcher, run as a training container runs it: channels, SM_*, metrics, publish."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from multi_cloud.core.script_mode import LAUNCHER_MODULE, METRICS_FILE, SOURCE_FOLDER, launcher_source

SCRIPT = """
import argparse, json, os, sys
parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int, default=1)
args = parser.parse_args()
rows = open(os.path.join(os.environ["SM_CHANNEL_TRAIN"], "rows.csv")).read().split()
if args.depth < 0:
    sys.exit("depth must not be negative")
print(f"train:rows={len(rows)}")
print("validation:accuracy = 0.75")
print("not a metric line")
json.dump({"depth": args.depth, "channels": json.loads(os.environ["SM_CHANNELS"])},
          open(os.path.join(os.environ["SM_MODEL_DIR"], "model.json"), "w"))
"""


def _shipped(tmp_path: Path) -> Path:
    code = tmp_path / "code"
    (code / SOURCE_FOLDER).mkdir(parents=True)
    (code / SOURCE_FOLDER / "train.py").write_text(SCRIPT)
    (code / f"{LAUNCHER_MODULE}.py").write_bytes(launcher_source())
    return code


def _run(code: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, f"{LAUNCHER_MODULE}.py", "--cloudai-entry-point=train.py", *arguments]
    return subprocess.run(command, cwd=code, capture_output=True, text=True, timeout=60, check=False)


def test_the_launcher_maps_channels_and_publishes_model_and_metrics(tmp_path: Path) -> None:
    data = tmp_path / "mounted-train"
    data.mkdir()
    (data / "rows.csv").write_text("1,2\n3,4\n5,6\n")
    out = tmp_path / "outputs-model"
    done = _run(
        _shipped(tmp_path), f"--cloudai-channel=train={data}", f"--cloudai-model-dir={out}", "--depth", "3"
    )
    assert done.returncode == 0, done.stderr
    assert "train:rows=3" in done.stdout
    assert json.loads((out / "model.json").read_text()) == {"depth": 3, "channels": ["train"]}
    assert json.loads((out / METRICS_FILE).read_text()) == {"train:rows": 3.0, "validation:accuracy": 0.75}


def test_a_failing_script_fails_the_launcher_and_publishes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "train"
    data.mkdir()
    (data / "rows.csv").write_text("1\n")
    out = tmp_path / "model-out"
    done = _run(
        _shipped(tmp_path), f"--cloudai-channel=train={data}", f"--cloudai-model-dir={out}", "--depth", "-1"
    )
    assert done.returncode != 0 and "depth must not be negative" in done.stderr
    assert not out.exists()


def test_a_missing_channel_folder_is_named(tmp_path: Path) -> None:
    done = _run(
        _shipped(tmp_path), "--cloudai-channel=train=/no/such/folder", f"--cloudai-model-dir={tmp_path}/m"
    )
    assert done.returncode != 0 and "/no/such/folder" in done.stderr
