"""The EKS model server's manifests checked by :mod:`multi_cloud.iac.k8s_validation` (probes on ``/ping``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from multi_cloud.iac.findings import Finding
from multi_cloud.iac.k8s_validation import CURRENT_API
from multi_cloud.iac.k8s_validation import validate_manifests as validate_any

from aws_ai_services.containers.k8s_manifests import HEALTH_PATH

__all__ = ["CURRENT_API", "validate_manifests"]


def validate_manifests(manifests: Sequence[Mapping[str, Any]] | str) -> list[Finding]:
    """Findings for a set of manifests (YAML text or dicts); probes should call the server's ``/ping``."""
    return validate_any(manifests, health_path=HEALTH_PATH)
