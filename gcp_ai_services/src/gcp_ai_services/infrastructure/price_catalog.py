"""The dated Google Cloud price catalog (catalog/gcp_prices_*.json): typed look-ups naming what is known."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from multi_cloud.core.pricing import DatedCatalog, latest_catalog

CATALOG_DIR = Path(__file__).parent / "catalog"
MachineUse = Literal["training", "prediction"]
_MACHINE_TABLES: dict[MachineUse, str] = {
    "training": "vertex_training_hourly",
    "prediction": "vertex_prediction_hourly",
}


class GCPPriceCatalog(DatedCatalog):
    """Vertex AI machine hours, AutoML node hours, Cloud Storage and Cloud Run functions, per region."""

    @classmethod
    def load(cls, path: Path | str | None = None) -> GCPPriceCatalog:
        """The given catalog file, or the newest ``gcp_prices_*.json`` shipped with the package."""
        return cls.read(path or latest_catalog(CATALOG_DIR, "gcp_prices_*.json"))  # type: ignore[no-any-return]

    @property
    def regions(self) -> list[str]:
        return list(self.data["vertex_training_hourly"])

    def machine_types(self, use: MachineUse, region: str) -> list[str]:
        return list(self._machines(use, region))

    def machine_hourly(self, machine_type: str, *, use: MachineUse, region: str) -> float:
        """Vertex AI's on-demand price of one ``machine_type`` node hour for ``use`` in ``region``."""
        return float(self.entry(self._machines(use, region), f"Vertex AI {use} in {region}", machine_type))

    def automl_node_hourly(self, activity: str) -> float:
        """AutoML's price per node hour of ``activity`` (``tabular-training``, ``image-deployment``...)."""
        return float(self.entry(self.data["automl_node_hourly"], "AutoML node-hour", activity))

    def storage_gb_month(self, region: str) -> float:
        return float(self.regional(self.data["storage_standard_gb_month"], "Cloud Storage", region))

    def functions_vcpu_second(self, region: str) -> float:
        table = self.data["cloud_run_functions"]["vcpu_second"]
        return float(self.regional(table, "Cloud Run functions vCPU", region))

    def functions_gib_second(self, region: str) -> float:
        table = self.data["cloud_run_functions"]["gib_second"]
        return float(self.regional(table, "Cloud Run functions memory", region))

    def functions_request(self, region: str) -> float:
        table = self.data["cloud_run_functions"]["per_million_requests"]
        return float(self.regional(table, "Cloud Run functions requests", region)) / 1_000_000

    def _machines(self, use: MachineUse, region: str) -> Mapping[str, float]:
        return self.regional(self.data[_MACHINE_TABLES[use]], f"Vertex AI {use}", region)  # type: ignore[no-any-return]
