"""The serving toolkit is provider-neutral: it imports no provider package and no lesson code."""

from __future__ import annotations

import ast
from pathlib import Path

import multi_cloud.emulation.serving as serving

# AutoML models are served with the feature encoding their search trained (emulation.automl.tabular)
ALLOWED_PREFIXES = (
    "multi_cloud.core",
    "multi_cloud.emulation.serving",
    "multi_cloud.emulation.jobs",
    "multi_cloud.emulation.automl",
)
PROVIDER_PACKAGES = ("aws_ai_services", "gcp_ai_services", "azure_ai_services", "boto3", "botocore", "moto")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_serving_imports_no_provider_and_only_core_and_jobs_of_the_project() -> None:
    files = sorted(Path(serving.__file__).parent.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in _imports(path):
            assert not name.startswith(PROVIDER_PACKAGES), f"{path.name} imports {name}"
            if name.startswith("multi_cloud"):
                assert name.startswith(ALLOWED_PREFIXES), f"{path.name} imports {name}"
