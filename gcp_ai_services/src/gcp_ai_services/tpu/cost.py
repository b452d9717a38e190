"""TPU-vs-GPU cost to train, from the dated price catalog (``prices.json``) and a throughput you supply.

The arithmetic is plain: hours = work ÷ (throughput per accelerator × accelerators) ÷ 3600 and dollars =
hours × the hourly price. Throughput is measured on the real hardware, or estimated from peak bf16 FLOP/s
and a model FLOP utilisation (:func:`throughput_from_peak`): what the local cloud cannot measure, since it
runs XLA on a CPU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

PRICES_FILE = Path(__file__).with_name("prices.json")
Pricing = Literal["on_demand", "spot"]


@cache
def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    """The catalog: ``as_of``, ``region``, ``sources``, ``tpu`` (chip-hour), ``gpu`` (machine-hour)."""
    prices: dict[str, Any] = json.loads(path.read_text())
    return prices


@dataclass(frozen=True)
class Option:
    """``count`` accelerators of one kind at ``per_hour`` dollars for all of them together."""

    name: str
    kind: Literal["tpu", "gpu"]
    count: int
    per_hour: float
    peak_tflops: float  # bf16, per accelerator
    pricing: Pricing = "on_demand"


@dataclass(frozen=True)
class Estimate:
    option: Option
    hours: float
    dollars: float


def tpu_option(version: str, chips: int, *, pricing: Pricing = "on_demand") -> Option:
    """``tpu_option("v5e", 8)``: ``chips`` chips of ``version`` (v5e, v5p, v6e) from the catalog."""
    entry = _entry("tpu", version)
    per_chip = float(entry[f"{pricing}_per_chip_hour"])
    return Option(
        name=f"TPU {version} × {chips}{' (spot)' if pricing == 'spot' else ''}",
        kind="tpu",
        count=_positive(chips, "chips"),
        per_hour=per_chip * chips,
        peak_tflops=float(entry["bf16_peak_tflops_per_chip"]),
        pricing=pricing,
    )


def gpu_option(gpu: str, count: int = 1) -> Option:
    """``gpu_option("A100-40GB", 8)``: ``count`` machines of the smallest type with one ``gpu``."""
    entry = _entry("gpu", gpu)
    return Option(
        name=f"{gpu} × {count} ({entry['machine_type']})",
        kind="gpu",
        count=_positive(count, "count"),
        per_hour=float(entry["machine_per_hour"]) * count,
        peak_tflops=float(entry["bf16_peak_tflops"]),
    )


def throughput_from_peak(option: Option, flops_per_example: float, utilization: float) -> float:
    """Examples a second per accelerator at ``utilization`` (MFU, 0-1) of its peak bf16 FLOP/s."""
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization is a fraction of peak in (0, 1], not {utilization}")
    if flops_per_example <= 0:
        raise ValueError("flops_per_example must be positive (a forward and backward pass ≈ 6 × parameters)")
    return option.peak_tflops * 1e12 * utilization / flops_per_example


def training_cost(option: Option, examples: float, per_accelerator_throughput: float) -> Estimate:
    """Hours and dollars to process ``examples`` at ``per_accelerator_throughput`` examples a second each."""
    if examples <= 0 or per_accelerator_throughput <= 0:
        raise ValueError("examples and throughput must be positive")
    hours = examples / (per_accelerator_throughput * option.count) / 3600
    return Estimate(option=option, hours=hours, dollars=hours * option.per_hour)


def cheapest(estimates: list[Estimate]) -> list[Estimate]:
    """The estimates from cheapest to dearest (ties: the faster first)."""
    return sorted(estimates, key=lambda e: (e.dollars, e.hours))


def _entry(kind: str, name: str) -> dict[str, Any]:
    table: dict[str, Any] = load_prices()[kind]
    if name not in table:
        raise KeyError(f"no {kind.upper()} {name!r} in the price catalog: one of {', '.join(table)}")
    entry: dict[str, Any] = table[name]
    return entry


def _positive(value: int, what: str) -> int:
    if value < 1:
        raise ValueError(f"{what} must be at least 1, not {value}")
    return value
