"""The portable FunctionService on Cloud Functions v2: handler(event, context) code through the adapter,
and updateFunction (a new build and revision) through the official client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from gcp_ai_services.serverless.cloud_functions import CloudFunctions
from gcp_ai_services.serverless.portable_functions import adapter_source
from google.api_core import exceptions as gx
from google.cloud import functions_v2
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.testing.conformance.functions import FunctionConformance, write_handler


class TestGCPFunctions(FunctionConformance):
    """The provider-neutral checks: invoke, handler errors as results, timeouts, redeploys, listing."""


def test_update_function_rebuilds_as_a_new_revision(provider: GCPProvider, tmp_path: Path) -> None:
    lessons = CloudFunctions()
    first = tmp_path / "v1"
    first.mkdir()
    (first / "main.py").write_text("def hello(request):\n    return 'one'\n")
    deployed = lessons.deploy("hello-rev", first, "hello")
    second = tmp_path / "v2"
    second.mkdir()
    (second / "main.py").write_text("def hello(request):\n    return 'two'\n")
    updated = lessons.update("hello-rev", second, timeout_seconds=9)
    assert deployed.revision.startswith("hello-rev-00001-")
    assert updated.revision.startswith("hello-rev-00002-") and updated.timeout_seconds == 9
    assert updated.uri == deployed.uri
    assert lessons.call("hello-rev", {}) == "two"


def test_update_of_a_missing_function_is_not_found(provider: GCPProvider, endpoint: dict[str, Any]) -> None:
    client = functions_v2.FunctionServiceClient(**endpoint)
    name = "projects/cloudai-local/locations/us-central1/functions/nobody"
    with pytest.raises(gx.NotFound) as caught:
        client.update_function(function={"name": name}, update_mask={"paths": ["service_config"]})
    assert name in caught.value.message


def test_the_adapter_refuses_a_main_py_and_a_bad_handler(provider: GCPProvider, tmp_path: Path) -> None:
    source = write_handler(tmp_path / "src")
    with pytest.raises(InvalidArgument, match="module.function"):
        provider.functions.deploy("bad-handler", str(source), "handler")
    with pytest.raises(InvalidArgument, match="no nothere.py"):
        provider.functions.deploy("bad-module", str(source), "nothere.handler")
    (source / "main.py").write_text("x = 1\n")
    with pytest.raises(InvalidArgument, match="rename your module"):
        provider.functions.deploy("has-main", str(source), "app.handler")


def test_the_generated_main_py_is_valid_python_naming_the_handler() -> None:
    source = adapter_source("app.handler", "scorer")
    compile(source, "main.py", "exec")
    assert "from app import handler as _handler" in source and "FUNCTION_NAME = 'scorer'" in source
