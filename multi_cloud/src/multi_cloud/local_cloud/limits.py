"""What the local cloud cannot compute, as declared by its backends, for providers' ``unsupported`` maps.

A backend lists the operations it answers with "not implemented" (``Backend.limits``: capability key ->
reason). In local mode a provider's capability adds them to its ``unsupported`` declaration, so the
conformance suites and callers see the gap before calling; in cloud mode there are none. This is the one
place that asks which mode is on, so the provider code has no local-mode branch of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.local_cloud.registry import backend_targets, load_backend


def declared_limits(backends: Iterable[str], settings: Settings | None = None) -> dict[str, str]:
    """``{"capability.operation": reason}`` the named backends cannot compute (empty in cloud mode)."""
    if not (settings or get_settings()).is_local:
        return {}
    wanted = set(backends)
    limits: dict[str, str] = {}
    for name, target in backend_targets().items():
        if name in wanted:
            limits.update(load_backend(target).limits)
    return limits
