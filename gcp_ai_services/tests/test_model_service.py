"""The portable ModelService on Vertex AI: script-mode training through a generated package, serving,
batch prediction and failures, over the wire to the Google emulator."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from gcp_ai_services.vertex_ai.script_mode.package import training_package
from multi_cloud.testing.conformance.models import ModelConformance

pytestmark = pytest.mark.usefixtures("fast_vertex_polls")


class TestVertexModels(ModelConformance):
    """Training, deploy/predict, batch prediction, failing scripts, NotFound: the provider-neutral checks."""


def test_the_training_package_holds_setup_launcher_and_the_source(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "lib").mkdir(parents=True)
    (source / "train.py").write_text("print('accuracy=1.0')\n")
    (source / "lib" / "helpers.py").write_text("X = 1\n")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    with tarfile.open(fileobj=io.BytesIO(training_package(source / "train.py", source))) as archive:
        names = set(archive.getnames())
    assert {
        "cloudai_trainer-0.1/setup.py",
        "cloudai_trainer-0.1/cloudai_launcher.py",
        "cloudai_trainer-0.1/cloudai_script_mode.py",
        "cloudai_trainer-0.1/cloudai_source/__init__.py",
        "cloudai_trainer-0.1/cloudai_source/train.py",
        "cloudai_trainer-0.1/cloudai_source/lib/helpers.py",
    } <= names
    assert not any("__pycache__" in name for name in names)
