"""The local cloud: loopback backends (moto, emulators) that the official SDKs talk to offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.local_cloud.cloud import LocalCloud

__all__ = ["LocalCloud", "ensure_running"]


def __getattr__(name: str) -> object:
    if name == "LocalCloud":
        from multi_cloud.local_cloud.cloud import LocalCloud

        return LocalCloud
    if name == "ensure_running":
        from multi_cloud.local_cloud.session import ensure_running

        return ensure_running
    raise AttributeError(name)
