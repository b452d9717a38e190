"""What a Databricks cluster costs: DBUs (by node type and compute type) plus the Azure VMs under them.

Azure Databricks bills two things for a cluster: Databricks Units per node-hour, priced by compute type
(Jobs Compute for job clusters, All-Purpose Compute for interactive ones), and the VMs themselves (from
the package's dated Azure price catalog). List prices, Premium tier, East US, pay-as-you-go.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_DATE = "2025-06-01"
#: USD per DBU, Premium tier (https://azure.microsoft.com/pricing/details/databricks/)
DBU_PRICE = {"jobs": 0.30, "all_purpose": 0.55}
#: DBUs one node of each size consumes per hour
DBU_PER_HOUR = {
    "Standard_DS3_v2": 0.75,
    "Standard_DS4_v2": 1.5,
    "Standard_DS5_v2": 3.0,
    "Standard_E8ds_v4": 2.0,
    "Standard_F4s": 0.5,
}


@dataclass(frozen=True)
class ClusterCost:
    """One cluster's cost for ``hours``: DBUs, their price, the VMs' price, in USD."""

    compute: str
    nodes: int
    hours: float
    dbus: float
    dbu_usd: float
    vm_usd: float

    @property
    def total_usd(self) -> float:
        return self.dbu_usd + self.vm_usd


def cluster_cost(
    node_type: str, workers: int, hours: float, *, compute: str = "jobs", region: str = "eastus"
) -> ClusterCost:
    """Cost of a driver plus ``workers`` nodes of ``node_type`` running ``hours`` on ``compute`` pricing."""
    from azure_ai_services.infrastructure.price_catalog import AzurePriceCatalog

    if compute not in DBU_PRICE:
        raise ValueError(f"compute must be one of {sorted(DBU_PRICE)}, got {compute!r}")
    if node_type not in DBU_PER_HOUR:
        raise ValueError(f"no DBU rate for {node_type}: known sizes are {sorted(DBU_PER_HOUR)}")
    nodes = workers + 1
    dbus = DBU_PER_HOUR[node_type] * nodes * hours
    vm_usd = AzurePriceCatalog.load().vm_hourly(node_type, region) * nodes * hours
    return ClusterCost(compute, nodes, hours, dbus, dbus * DBU_PRICE[compute], vm_usd)
