"""What the Cloud TPU emulator remembers: nodes, their operations, core quotas per project and zone.

A node holds TensorCores of its family's quota from creation until it is deleted (stopping does not free
them). On-demand and preemptible/spot nodes draw on separate limits, as in Google Cloud; each defaults to
the catalog's ``default_quota_cores`` and is changed per project, zone and family with :meth:`set_quota`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.operations import OperationStore

from gcp_ai_services.emulator.tpu.catalog import AcceleratorType, TpuCatalog, load_catalog

SERVICE = "tpu.googleapis.com"
#: seconds a node spends CREATING / STOPPING / STARTING before it settles (Google: minutes)
DEFAULT_TRANSITION_SECONDS = 0.3


@dataclass
class TpuState:
    catalog: TpuCatalog = field(default_factory=load_catalog)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: OperationStore = field(default_factory=OperationStore)
    quota_overrides: dict[tuple[str, str, str, bool], int] = field(default_factory=dict)
    transition_seconds: float = DEFAULT_TRANSITION_SECONDS
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reset(self) -> None:
        with self.lock:
            self.nodes.clear()
            self.quota_overrides.clear()
            self.transition_seconds = DEFAULT_TRANSITION_SECONDS
        self.operations.clear()

    def set_quota(
        self, project: str, zone: str, family: str, cores: int, *, preemptible: bool = False
    ) -> None:
        """Change one limit (``set_quota("p", "us-central1-a", "v5litepod", 16)``), like a granted request."""
        if family not in self.catalog.quota_limits:
            raise ValueError(f"unknown TPU family {family!r}: one of {', '.join(self.catalog.quota_limits)}")
        with self.lock:
            self.quota_overrides[(project, zone, family, preemptible)] = cores

    def quota(self, project: str, zone: str, family: str, *, preemptible: bool) -> int:
        default = self.catalog.default_quota_cores["spot" if preemptible else "on_demand"]
        return self.quota_overrides.get((project, zone, family, preemptible), default)

    def get(self, name: str) -> dict[str, Any]:
        with self.lock:
            node = self.nodes.get(name)
        if node is None:
            raise GoogleError("NOT_FOUND", f"Resource '{name}' was not found")
        return node

    def charge(self, name: str, kind: AcceleratorType, *, preemptible: bool) -> None:
        """``RESOURCE_EXHAUSTED`` (429) with Google's quota ``ErrorInfo`` if ``kind`` does not fit the quota.

        Call with :attr:`lock` held, before storing the node.
        """
        project, zone = name.split("/")[1], name.split("/")[3]
        used = sum(
            self.catalog.types[str(node["acceleratorType"])].cores
            for other, node in self.nodes.items()
            if other.startswith(f"projects/{project}/locations/{zone}/")
            and self.catalog.types[str(node["acceleratorType"])].family == kind.family
            and _preemptible(node) == preemptible
        )
        limit = self.quota(project, zone, kind.family, preemptible=preemptible)
        if used + kind.cores <= limit:
            return
        on_demand, spot = self.catalog.quota_limits[kind.family]
        limit_name = spot if preemptible else on_demand
        raise GoogleError(
            "RESOURCE_EXHAUSTED",
            f"Quota limit '{limit_name}' has been exceeded. Limit: {limit} in zone {zone}. "
            f"{kind.name} needs {kind.cores} cores and {used} are in use: delete a node, choose a smaller "
            "accelerator type, or request more quota (https://cloud.google.com/tpu/docs/quota).",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "service": SERVICE,
                        "consumer": f"projects/{project}",
                        "quota_limit": limit_name,
                        "quota_limit_value": str(limit),
                        "quota_location": zone,
                    },
                },
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [
                        {
                            "description": "Request a higher quota limit.",
                            "url": "https://cloud.google.com/tpu/docs/quota",
                        }
                    ],
                },
            ],
        )


def _preemptible(node: dict[str, Any]) -> bool:
    scheduling = node.get("schedulingConfig") or {}
    return bool(scheduling.get("preemptible") or scheduling.get("spot"))
