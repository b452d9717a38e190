"""AzureFunctionsService: the FunctionService conformance suite plus what the Azure adapter adds."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure_ai_services.client import AzureProvider
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.testing.conformance.functions import FunctionConformance, write_handler


@pytest.fixture
def provider(azure_env: dict[str, str]) -> AzureProvider:
    return AzureProvider()


class TestAzureFunctions(FunctionConformance):
    pass


def test_the_adapter_is_an_azure_function_app(provider: AzureProvider, tmp_path: Path) -> None:
    from azure_ai_services.serverless.azure_functions import FunctionApps

    name = f"fn-{uuid.uuid4().hex[:8]}"
    provider.functions.deploy(name, str(write_handler(tmp_path / "src")), "app.handler", timeout_seconds=90)
    azure = provider.settings.azure
    apps = FunctionApps(azure.subscription_id, azure.resource_group)
    functions = {f["properties"]["name"]: f for f in apps.functions(name)}
    assert set(functions) == {"cloudai_portable", "cloudai_events"}
    assert functions["cloudai_portable"]["properties"]["invoke_url_template"].endswith("/api/invoke")
    unauthenticated = apps.url(name, "invoke")
    import requests

    assert requests.post(unauthenticated, json={}, timeout=30).status_code == 401  # function auth level
    first = provider.functions.invoke(name, {"numbers": [1]})
    again = provider.functions.invoke(name, {"numbers": [2]})
    assert first.cold_start and not again.cold_start
    listed = {f.name: f for f in provider.functions.list_functions()}
    assert listed[name].timeout_seconds == 90 and listed[name].handler == "app.handler"


def test_bad_deployments_are_invalid_arguments(provider: AzureProvider, tmp_path: Path) -> None:
    source = write_handler(tmp_path / "src")
    with pytest.raises(InvalidArgument, match="module.function"):
        provider.functions.deploy("fn-bad", str(source), "handler")
    with pytest.raises(InvalidArgument, match="no nothere.py"):
        provider.functions.deploy("fn-bad", str(source), "nothere.handler")
    with pytest.raises(InvalidArgument, match="functionTimeout"):
        provider.functions.deploy("fn-bad", str(source), "app.handler", timeout_seconds=601)
    (source / "function_app.py").write_text("")
    with pytest.raises(InvalidArgument, match="generates it"):
        provider.functions.deploy("fn-bad", str(source), "app.handler")


def test_redeploy_replaces_the_environment(provider: AzureProvider, tmp_path: Path) -> None:
    name = f"fn-{uuid.uuid4().hex[:8]}"
    source = str(write_handler(tmp_path / "src"))
    provider.functions.deploy(name, source, "app.handler", environment={"GREETING": "hola"})
    assert provider.functions.invoke(name, {}).payload["greeting"] == "hola"
    provider.functions.deploy(name, source, "app.handler")
    assert provider.functions.invoke(name, {}).payload["greeting"] == ""
