"""TPU-vs-GPU cost arithmetic from the dated price catalog."""

from __future__ import annotations

import pytest
from gcp_ai_services.tpu import cost


def test_catalog_is_dated_and_sourced() -> None:
    prices = cost.load_prices()
    assert prices["as_of"] >= "2026-01-01" and prices["region"] == "us-central1"
    assert prices["sources"]["tpu"].startswith("https://cloud.google.com/tpu/pricing")
    for entry in prices["tpu"].values():
        assert 0 < entry["spot_per_chip_hour"] < entry["on_demand_per_chip_hour"]


def test_hours_and_dollars_follow_throughput_and_price() -> None:
    v5e = cost.tpu_option("v5e", 8)
    assert v5e.per_hour == pytest.approx(8 * cost.load_prices()["tpu"]["v5e"]["on_demand_per_chip_hour"])
    estimate = cost.training_cost(v5e, examples=3_600_000, per_accelerator_throughput=125)
    assert estimate.hours == pytest.approx(1.0)  # 3.6 M / (125 × 8) / 3600
    assert estimate.dollars == pytest.approx(v5e.per_hour)
    spot = cost.training_cost(cost.tpu_option("v5e", 8, pricing="spot"), 3_600_000, 125)
    assert spot.dollars < estimate.dollars and spot.hours == estimate.hours


def test_peak_based_throughput_ranks_options() -> None:
    flops = 6 * 125e6 * 512  # 6 × parameters × tokens per example: a 125 M model, 512-token sequences
    options = [cost.tpu_option("v5e", 8), cost.tpu_option("v6e", 8), cost.gpu_option("A100-40GB", 8)]
    estimates = [
        cost.training_cost(o, 10_000_000, cost.throughput_from_peak(o, flops, utilization=0.4))
        for o in options
    ]
    ranked = cost.cheapest(estimates)
    assert ranked[0].dollars < ranked[-1].dollars
    assert {e.option.name for e in ranked} == {o.name for o in options}


def test_bad_input_names_the_fix() -> None:
    with pytest.raises(KeyError, match="v5e, v5p, v6e"):
        cost.tpu_option("v9", 8)
    with pytest.raises(ValueError, match="fraction of peak"):
        cost.throughput_from_peak(cost.gpu_option("L4"), 1e12, utilization=1.5)
