"""The provider registry: lazy, with install hints; importing multi_cloud imports no cloud SDK."""

import subprocess
import sys

import pytest
from multi_cloud.core import registry
from multi_cloud.core.errors import ConfigurationError, MissingDependency


def test_known_providers():
    assert registry.known_providers() == ["aws", "azure", "gcp", "onprem"]


def test_unknown_provider_lists_the_known_ones():
    with pytest.raises(ConfigurationError) as info:
        registry.get_provider("ibm")
    message = str(info.value)
    assert "ibm" in message
    for name in ("aws", "azure", "gcp", "onprem"):
        assert name in message


def test_missing_sdk_gives_the_pip_hint(tmp_path, monkeypatch):
    (tmp_path / "fake_provider_pkg.py").write_text("import sdk_that_is_not_installed_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(
        registry._REGISTRY,
        "fake",
        registry.ProviderSpec("fake", "fake_provider_pkg:Fake", "fakeextra", ""),
    )
    with pytest.raises(MissingDependency) as info:
        registry.get_provider("fake")
    assert "pip install 'cloud-ai-platforms[fakeextra]'" in str(info.value)
    assert "sdk_that_is_not_installed_xyz" in str(info.value)


def test_missing_provider_module_is_a_configuration_error(monkeypatch):
    monkeypatch.setitem(
        registry._REGISTRY, "ghost", registry.ProviderSpec("ghost", "ghost_pkg.client:Ghost", "ghost", "")
    )
    with pytest.raises(ConfigurationError, match="not available"):
        registry.get_provider("ghost")


SDK_ROOTS = ("boto3", "botocore", "google", "azure", "sagemaker", "moto")
LIST_SDK_MODULES = (
    f"import sys;print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {SDK_ROOTS!r})))"
)


def _sdk_modules(prelude: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", prelude + LIST_SDK_MODULES], capture_output=True, text=True, check=True
    ).stdout.strip()
    return set(out.split(",")) - {""}


def test_import_multi_cloud_imports_no_cloud_sdk():
    # namespace-package .pth files may pre-create empty "google"/"azure" modules: compare to a bare start
    baseline = _sdk_modules("")
    after = _sdk_modules("import multi_cloud, multi_cloud.core.base, multi_cloud.core.registry;")
    assert after - baseline == set()


def test_onprem_provider_loads_through_the_registry(tmp_path):
    provider = registry.get_provider("onprem", root=tmp_path)
    assert provider.name == "onprem"
