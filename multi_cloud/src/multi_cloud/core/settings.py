"""Typed settings from the environment (CLOUDAI_*) and an optional cloudai.toml; local mode by default."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from multi_cloud.core.errors import ConfigurationError

Mode = Literal["local", "cloud"]


class AWSSettings(BaseModel):
    region: str = "us-east-1"
    profile: str | None = None
    sagemaker_role_arn: str = "arn:aws:iam::123456789012:role/cloudai-sagemaker"
    artifact_bucket: str = "cloudai-artifacts"


class GCPSettings(BaseModel):
    project: str = "cloudai-local"
    location: str = "us-central1"
    artifact_bucket: str = "cloudai-artifacts"


class AzureSettings(BaseModel):
    subscription_id: str = "00000000-0000-0000-0000-000000000000"
    resource_group: str = "cloudai-rg"
    workspace: str = "cloudai-ws"
    location: str = "eastus"
    artifact_container: str = "cloudai-artifacts"


class OnPremSettings(BaseModel):
    root: Path | None = None  # where the on-premises object store and registry live


def config_file() -> Path:
    """The cloudai.toml in use: $CLOUDAI_CONFIG, else ./cloudai.toml."""
    return Path(os.environ.get("CLOUDAI_CONFIG", "cloudai.toml"))


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cloudai"


class Settings(BaseSettings):
    """All settings; the environment (``CLOUDAI_MODE``, ``CLOUDAI_AWS__REGION``) wins over cloudai.toml."""

    model_config = SettingsConfigDict(env_prefix="CLOUDAI_", env_nested_delimiter="__", extra="forbid")

    mode: Mode = "local"
    state_dir: Path = default_state_dir()
    aws: AWSSettings = AWSSettings()
    gcp: GCPSettings = GCPSettings()
    azure: AzureSettings = AzureSettings()
    onprem: OnPremSettings = OnPremSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)

    @property
    def is_local(self) -> bool:
        return self.mode == "local"


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning validation errors into one clear :class:`ConfigurationError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigurationError(
            f"invalid settings ({problems}). Fix the CLOUDAI_* environment variables or "
            f"{config_file()} (mode must be 'local' or 'cloud')."
        ) from exc
    except Exception as exc:  # a malformed TOML file
        raise ConfigurationError(f"cannot read {config_file()}: {exc}. Fix or remove the file.") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; call ``get_settings.cache_clear()`` after changing them)."""
    return load_settings()
