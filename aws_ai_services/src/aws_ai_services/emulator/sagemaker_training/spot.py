"""Managed spot training locally: billed seconds at the catalog's discount, and a trigger for interruptions.

AWS reclaims spot capacity when it needs it; the local cloud does so when the job asks, through a tag the
real service ignores: ``cloudai:spot-interruption`` = ``after-checkpoints=N`` (reclaim once the script has
written N new checkpoint files), optionally ``;comes-back=true`` (capacity returns and the same job restarts
from its checkpoints; otherwise it ends ``Stopped`` / ``MaxWaitTimeExceeded``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

INTERRUPTION_TAG = "cloudai:spot-interruption"
#: the dated price catalog shipped with the AWS package (data only; read, not imported)
CATALOG = ("infrastructure", "catalog", "aws_prices_2026-11.json")


@dataclass(frozen=True)
class Interruption:
    after_checkpoints: int = 1
    comes_back: bool = False
    grace_seconds: float = 2.0


def interruption_from_tags(tags: Iterable[Mapping[str, str]] | None) -> Interruption | None:
    """The interruption a job's tags ask for; ``None`` when they ask for none (or say it unreadably)."""
    for tag in tags or []:
        if tag.get("Key") != INTERRUPTION_TAG:
            continue
        fields = dict(part.split("=", 1) for part in tag.get("Value", "").split(";") if "=" in part)
        try:
            after = max(1, int(fields.get("after-checkpoints", "1")))
            grace = float(fields.get("grace-seconds", "2"))
        except ValueError:
            return None
        return Interruption(after, fields.get("comes-back", "false").lower() == "true", grace)
    return None


def spot_discount(instance_type: str) -> float:
    """The catalog's typical spot saving for the instance family (0.0 when it has none)."""
    family = instance_type.removeprefix("ml.").split(".")[0]
    spot: dict[str, Any] = _catalog().get("managed_spot_training", {})
    table: dict[str, dict[str, float]] = spot.get("discount_by_family", {})
    return float(table.get(family, {}).get("typical", 0.0))


def billable_seconds(training_seconds: int, *, spot: bool, instance_type: str) -> int:
    """On-demand jobs bill their training time; spot jobs the discounted part of it (at least 1 s)."""
    if not spot:
        return training_seconds
    return max(1, round(training_seconds * (1 - spot_discount(instance_type))))


@cache
def _catalog() -> dict[str, Any]:
    path = resources.files("aws_ai_services")
    for part in CATALOG:
        path = path.joinpath(part)
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data
