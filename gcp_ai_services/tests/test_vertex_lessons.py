"""The Vertex lesson modules end to end: VertexTrainer trains in the emulator, VertexDeployer serves it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from gcp_ai_services.session import storage_client
from gcp_ai_services.vertex_ai.deployment import VertexDeployer
from gcp_ai_services.vertex_ai.training import VertexTrainer
from multi_cloud.core.errors import InvalidArgument, NotFound

SCRIPT = """
import os, joblib
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier
X, y = load_iris(return_X_y=True)
model_dir = os.environ["AIP_MODEL_DIR"].replace("gs://", "/gcs/")
os.makedirs(model_dir, exist_ok=True)
joblib.dump(DecisionTreeClassifier(random_state=0).fit(X, y), os.path.join(model_dir, "model.joblib"))
"""


@pytest.fixture
def fast_polls(clean_google: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from google.cloud.aiplatform import jobs, training_jobs

    monkeypatch.setattr(training_jobs, "_JOB_WAIT_TIME", 0.5)
    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.5)
    storage_client().create_bucket("lessons")


def test_train_deploy_split_predict(fast_polls: None, tmp_path: Path) -> None:
    (tmp_path / "task.py").write_text(textwrap.dedent(SCRIPT))
    trained = VertexTrainer("lessons").train_script("iris-tree", str(tmp_path / "task.py"))
    assert trained.succeeded and trained.model_version == "1"

    deployer = VertexDeployer()
    endpoint = deployer.create_endpoint("iris")
    first = deployer.deploy(trained.model_name, endpoint)
    second_version = deployer.upload(
        "iris-tree", "gs://lessons/" + _model_folder(trained.model_name), parent_model=trained.model_name
    )
    assert second_version.version == "2" and "default" in second_version.aliases
    second = deployer.deploy(f"{trained.model_name}@2", endpoint, traffic_percentage=0)
    assert deployer.set_traffic(endpoint, {first: 0, second: 100}) == {first: 0, second: 100}
    answer = deployer.predict(endpoint, [[6.7, 3.0, 5.2, 2.3]])
    assert answer.predictions == [2] and (answer.deployed_model_id, answer.model_version) == (second, "2")
    with pytest.raises(InvalidArgument):
        deployer.delete_model(trained.model_name)
    deployer.delete_endpoint(endpoint)
    with pytest.raises(NotFound):
        deployer.predict(endpoint, [[1, 2, 3, 4]])


def test_a_failing_script_is_a_result(fast_polls: None, tmp_path: Path) -> None:
    (tmp_path / "task.py").write_text("import sys\nsys.exit('bad data')\n")
    result = VertexTrainer("lessons").run_custom_job("fails", str(tmp_path / "task.py"))
    assert result.state == "FAILED" and "bad data" in result.error


def test_importing_the_package_imports_no_google_sdk() -> None:
    modules = "gcp_ai_services, gcp_ai_services.vertex_ai.training, gcp_ai_services.vertex_ai.deployment"
    code = f"import sys, {modules}\n"
    code += "print([m for m in sys.modules if m.startswith(('google.cloud.', 'google.api_core'))])"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "[]"  # only the namespace packages google and google.cloud


def _model_folder(model_name: str) -> str:
    from google.cloud import aiplatform

    return str(aiplatform.Model(model_name).uri).split("gs://lessons/", 1)[1]
