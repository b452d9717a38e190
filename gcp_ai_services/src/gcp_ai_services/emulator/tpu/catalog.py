"""The dated TPU catalog (``catalog.json``): which accelerator types and runtime versions each zone offers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_FILE = Path(__file__).with_name("catalog.json")


@dataclass(frozen=True)
class AcceleratorType:
    """One accelerator type (``v5litepod-8``): its family, ``AcceleratorConfig`` and TensorCore count."""

    name: str
    family: str
    config_type: str
    topology: str
    cores: int


@dataclass(frozen=True)
class TpuCatalog:
    as_of: str
    types: dict[str, AcceleratorType]
    zones: dict[str, tuple[str, ...]]
    runtime_versions: tuple[str, ...]
    quota_limits: dict[str, tuple[str, str]]
    default_quota_cores: dict[str, int]

    def zone_types(self, zone: str) -> list[AcceleratorType]:
        """The accelerator types ``zone`` offers, in catalog order."""
        families = self.zones.get(zone, ())
        return [kind for kind in self.types.values() if kind.family in families]

    def by_config(self, config_type: str, topology: str) -> AcceleratorType | None:
        """The type an ``acceleratorConfig`` (``V5LITE_POD`` + ``2x4``) names, if the catalog has it."""
        return next(
            (t for t in self.types.values() if (t.config_type, t.topology) == (config_type, topology)), None
        )


@cache
def load_catalog(path: Path = CATALOG_FILE) -> TpuCatalog:
    raw: dict[str, Any] = json.loads(path.read_text())
    families: dict[str, dict[str, str]] = raw["families"]
    types = {
        name: AcceleratorType(
            name=name,
            family=name.rsplit("-", 1)[0],
            config_type=families[name.rsplit("-", 1)[0]]["config_type"],
            topology=str(spec["topology"]),
            cores=int(spec["cores"]),
        )
        for name, spec in raw["types"].items()
    }
    return TpuCatalog(
        as_of=str(raw["as_of"]),
        types=types,
        zones={zone: tuple(found) for zone, found in raw["zones"].items()},
        runtime_versions=tuple(raw["runtime_versions"]),
        quota_limits={f: (s["quota_limit"], s["preemptible_quota_limit"]) for f, s in families.items()},
        default_quota_cores={k: int(v) for k, v in raw["default_quota_cores"].items()},
    )
