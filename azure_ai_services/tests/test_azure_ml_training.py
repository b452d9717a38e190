"""The AzureMLTrainer lesson module in the local cloud: submit a script folder, wait, read logs, outputs."""

from __future__ import annotations

from pathlib import Path

from azure_ai_services.azure_ml.training import AzureMLTrainer

SCRIPT = """
import argparse, json, os
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int)
parser.add_argument("--out")
args = parser.parse_args()
x, y = load_iris(return_X_y=True)
score = DecisionTreeClassifier(max_depth=args.depth, random_state=0).fit(x, y).score(x, y)
print(f"train accuracy {score:.3f}")
json.dump({"accuracy": score}, open(os.path.join(args.out, "metrics.json"), "w"))
"""


def test_submit_wait_logs_and_outputs(azure_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text(SCRIPT)
    trainer = AzureMLTrainer()
    trainer.ensure_compute("cpu-cluster")
    name = trainer.submit(
        source,
        "python train.py --depth ${{inputs.depth}} --out ${{outputs.metrics}}",
        inputs={"depth": 3},
        outputs=["metrics"],
    )
    state = trainer.wait(name, timeout=60, poll=0.3)
    assert state.succeeded, state.error
    assert "train accuracy" in trainer.logs(name)
    folder = trainer.download(name, tmp_path / "dl")
    assert "accuracy" in (folder / "named-outputs" / "metrics" / "metrics.json").read_text()


def test_a_failing_job_reports_its_error(azure_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("raise SystemExit('no data given')\n")
    trainer = AzureMLTrainer()
    trainer.ensure_compute("cpu-cluster")
    state = trainer.wait(trainer.submit(source, "python train.py"), timeout=60, poll=0.3)
    assert state.status == "Failed"
    assert "no data given" in state.error


def test_importing_the_lesson_module_imports_no_azure_sdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, azure_ai_services.azure_ml.training, azure_ai_services.emulator.app; "
        "print([m for m in sys.modules if m.startswith('azure.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
