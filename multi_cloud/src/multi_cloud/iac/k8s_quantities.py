"""Kubernetes resource quantities ("250m", "1", "512Mi", "1G") as numbers: cores and bytes."""

from __future__ import annotations

import re

from multi_cloud.core.errors import InvalidArgument

_QUANTITY = re.compile(r"^([+-]?\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


def parse_quantity(value: str | int | float) -> float:
    """``"250m"`` -> 0.25, ``"512Mi"`` -> 536870912.0, ``2`` -> 2.0; InvalidArgument for anything else."""
    if isinstance(value, bool):
        raise InvalidArgument(f"{value!r} is not a Kubernetes quantity")
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise InvalidArgument(
            f"{value!r} is not a Kubernetes quantity: write CPU as cores or millicores (1, 0.5, 500m) and "
            "memory with a suffix (512Mi, 1Gi)"
        )
    return float(match.group(1)) * _FACTORS[match.group(2)]
