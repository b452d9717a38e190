"""Cloud TPU nodes for the lessons: accelerator types, runtime versions, nodes over ``tpu_v2``.

:class:`TpuNodes` wraps ``google.cloud.tpu_v2.TpuClient`` (REST, from
:func:`gcp_ai_services.session.google_client`) for one project and zone and turns Google's errors into
:mod:`multi_cloud.core.errors` (a core quota exceeded is ``Throttled`` with code ``RESOURCE_EXHAUSTED``).
The same code runs against Google Cloud with ``CLOUDAI_MODE=cloud``, where a node bills while it exists.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import google_client

#: the runtime (TPU software version) Google documents for each accelerator family
DEFAULT_RUNTIMES = {
    "v5litepod": "v2-alpha-tpuv5-lite",
    "v5p": "v2-alpha-tpuv5",
    "v6e": "v2-alpha-tpuv6e",
}
FALLBACK_RUNTIME = "tpu-ubuntu2204-base"


class TpuNodes:
    """TPU VMs (nodes) of one project in one zone (``projects/{project}/locations/{zone}``)."""

    def __init__(self, zone: str, settings: Settings | None = None, *, timeout: float = 600.0) -> None:
        self.settings = settings or get_settings()
        self.zone = zone
        self.parent = f"projects/{self.settings.gcp.project}/locations/{zone}"
        self.timeout = timeout  # Google: creating a node takes minutes

    @property
    def client(self) -> Any:
        """The official ``tpu_v2.TpuClient``."""
        return google_client("tpu", self.settings)

    def node_path(self, node_id: str) -> str:
        return f"{self.parent}/nodes/{node_id}"

    def accelerator_types(self) -> list[str]:
        """The accelerator type names the zone offers (``v5litepod-8``...)."""
        with google_errors("tpu.list_accelerator_types"):
            return [t.type_ for t in self.client.list_accelerator_types(parent=self.parent)]

    def runtime_versions(self) -> list[str]:
        with google_errors("tpu.list_runtime_versions"):
            return [r.version for r in self.client.list_runtime_versions(parent=self.parent)]

    def create(
        self,
        node_id: str,
        accelerator_type: str,
        *,
        runtime_version: str = "",
        spot: bool = False,
        wait: bool = True,
    ) -> Any:
        """Create a node and (with ``wait``) return it ``READY``; the runtime defaults to the family's own."""
        from google.cloud import tpu_v2

        family = accelerator_type.rsplit("-", 1)[0]
        node = tpu_v2.Node(
            accelerator_type=accelerator_type,
            runtime_version=runtime_version or DEFAULT_RUNTIMES.get(family, FALLBACK_RUNTIME),
            scheduling_config=tpu_v2.SchedulingConfig(spot=spot),
        )
        with google_errors("tpu.create_node"):
            operation = self.client.create_node(parent=self.parent, node_id=node_id, node=node)
            return operation.result(timeout=self.timeout) if wait else operation

    def get(self, node_id: str) -> Any:
        with google_errors("tpu.get_node"):
            return self.client.get_node(name=self.node_path(node_id))

    def list(self) -> list[Any]:
        with google_errors("tpu.list_nodes"):
            return list(self.client.list_nodes(parent=self.parent))

    def stop(self, node_id: str) -> Any:
        """Stop a READY node (Google stops billing its chips) and return it ``STOPPED``."""
        with google_errors("tpu.stop_node"):
            return self.client.stop_node(request={"name": self.node_path(node_id)}).result(
                timeout=self.timeout
            )

    def start(self, node_id: str) -> Any:
        with google_errors("tpu.start_node"):
            return self.client.start_node(request={"name": self.node_path(node_id)}).result(
                timeout=self.timeout
            )

    def delete(self, node_id: str) -> None:
        """Delete a node and wait until it is gone."""
        with google_errors("tpu.delete_node"):
            self.client.delete_node(name=self.node_path(node_id)).result(timeout=self.timeout)
