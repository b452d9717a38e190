"""The portable kind of a multi_cloud ``CloudError``: the key each provider's error table is indexed by."""

from __future__ import annotations

from typing import Literal

from multi_cloud.core.errors import (
    AlreadyExists,
    CloudError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Throttled,
    Unavailable,
)

ErrorKind = Literal["invalid", "not_found", "conflict", "denied", "throttled", "unavailable", "unsupported"]

_KINDS: tuple[tuple[type[CloudError], ErrorKind], ...] = (
    (InvalidArgument, "invalid"),
    (NotFound, "not_found"),
    (AlreadyExists, "conflict"),
    (PermissionDenied, "denied"),
    (Throttled, "throttled"),
    (Unavailable, "unavailable"),
)


def error_kind(exc: CloudError) -> ErrorKind:
    """``"unsupported"`` for Unsupported, MissingDependency, ConfigurationError and a bare CloudError."""
    return next((kind for cls, kind in _KINDS if isinstance(exc, cls)), "unsupported")
