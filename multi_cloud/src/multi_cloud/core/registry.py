"""Providers registered by dotted path with an install hint, so importing multi_cloud imports no SDK."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multi_cloud.core.errors import ConfigurationError, MissingDependency

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.core.base import CloudProvider

DISTRIBUTION = "cloud-ai-platforms"


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    target: str  # "package.module:ClassName"
    extra: str  # the pip extra that installs its SDKs
    description: str

    @property
    def install_hint(self) -> str:
        return f"pip install '{DISTRIBUTION}[{self.extra}]'"


_REGISTRY: dict[str, ProviderSpec] = {}


def register(name: str, target: str, *, extra: str, description: str = "") -> None:
    """Register (or replace) a provider by dotted path; nothing is imported now."""
    _REGISTRY[name] = ProviderSpec(name, target, extra, description)


register("aws", "aws_ai_services.client:AWSProvider", extra="aws", description="Amazon Web Services")
register("gcp", "gcp_ai_services.client:GCPProvider", extra="gcp", description="Google Cloud")
register("azure", "azure_ai_services.client:AzureProvider", extra="azure", description="Microsoft Azure")
register(
    "onprem",
    "multi_cloud.onprem.provider:OnPremProvider",
    extra="onprem",
    description="On-premises engines on this machine",
)


def known_providers() -> list[str]:
    return sorted(_REGISTRY)


def provider_spec(name: str) -> ProviderSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown provider {name!r}; known providers: {', '.join(known_providers())}"
        ) from None


def provider_class(name: str) -> type[CloudProvider]:
    """Import and return the provider class, explaining a missing SDK or a missing package."""
    spec = provider_spec(name)
    module_name, _, class_name = spec.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        own_package = module_name.split(".")[0]
        if missing == own_package or (exc.name and module_name.startswith(exc.name)):
            raise ConfigurationError(
                f"provider {name!r} is not available in this installation ({module_name} is "
                f"missing). Reinstall with: {spec.install_hint}"
            ) from exc
        raise MissingDependency(
            f"provider {name!r} needs the package {missing!r}, which is not installed. "
            f"Install it with: {spec.install_hint}"
        ) from exc
    cls: type[CloudProvider] = getattr(module, class_name)
    return cls


def get_provider(name: str, **options: Any) -> CloudProvider:
    """Instantiate provider ``name`` with ``options`` (e.g. ``settings=...``)."""
    return provider_class(name)(**options)
