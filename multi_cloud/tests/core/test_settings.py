"""Settings: local by default, environment and cloudai.toml, clear errors for bad config."""

import pytest
from multi_cloud.core.errors import ConfigurationError
from multi_cloud.core.settings import load_settings


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    for key in ("CLOUDAI_MODE", "CLOUDAI_AWS__REGION", "CLOUDAI_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_default_mode_is_local():
    settings = load_settings()
    assert settings.mode == "local" and settings.is_local
    assert settings.aws.region == "us-east-1"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("CLOUDAI_MODE", "cloud")
    monkeypatch.setenv("CLOUDAI_AWS__REGION", "eu-west-1")
    settings = load_settings()
    assert settings.mode == "cloud" and settings.aws.region == "eu-west-1"


def test_toml_file_is_read_and_env_wins(monkeypatch, tmp_path):
    (tmp_path / "cloudai.toml").write_text('mode = "cloud"\n[gcp]\nproject = "my-proj"\n')
    assert load_settings().gcp.project == "my-proj"
    assert load_settings().mode == "cloud"
    monkeypatch.setenv("CLOUDAI_MODE", "local")
    assert load_settings().mode == "local"


def test_invalid_mode_names_the_setting(monkeypatch):
    monkeypatch.setenv("CLOUDAI_MODE", "hybrid")
    with pytest.raises(ConfigurationError, match="mode"):
        load_settings()


def test_malformed_toml_names_the_file(tmp_path):
    (tmp_path / "cloudai.toml").write_text("mode = \n[[[")
    with pytest.raises(ConfigurationError, match="cloudai.toml"):
        load_settings()


def test_unknown_key_is_rejected(tmp_path):
    (tmp_path / "cloudai.toml").write_text('modee = "cloud"\n')
    with pytest.raises(ConfigurationError, match="modee"):
        load_settings()
