"""Multi-cloud AI: one provider interface over AWS, GCP, Azure and on-premises engines."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["get_provider", "known_providers", "__version__"]
__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.core.base import CloudProvider


def get_provider(name: str, **options: object) -> CloudProvider:
    """Return the provider called ``name`` ("aws", "gcp", "azure" or "onprem")."""
    from multi_cloud.core.registry import get_provider as _get

    return _get(name, **options)


def known_providers() -> list[str]:
    """Names of every registered provider."""
    from multi_cloud.core.registry import known_providers as _known

    return _known()
