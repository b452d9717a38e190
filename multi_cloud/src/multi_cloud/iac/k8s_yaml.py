"""Kubernetes manifests as YAML: one multi-document file for ``kubectl apply -f``, read back as dicts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from multi_cloud.core.errors import InvalidArgument

Manifest = dict[str, Any]
#: an RFC 1123 label: what Kubernetes accepts as a Deployment, Service or container name
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def to_yaml(manifests: Sequence[Mapping[str, Any]]) -> str:
    """One multi-document YAML file for ``kubectl apply -f``, without YAML anchors (values spelled out)."""
    import yaml

    class PlainDumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no type hints
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return str(yaml.dump_all([dict(m) for m in manifests], Dumper=PlainDumper, sort_keys=False))


def from_yaml(text: str) -> list[Manifest]:
    import yaml

    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        raise InvalidArgument(f"the manifests are not valid YAML: {exc}") from exc
