"""The XLA lab on this CPU: compilations per shape, padding to buckets, bf16 error, data parallelism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gcp_ai_services.tpu import xla_lab


def _layer(x: object) -> object:
    import jax.numpy as jnp

    return jnp.tanh(x @ jnp.ones((x.shape[-1], 16), dtype=x.dtype))  # type: ignore[attr-defined]


def test_each_new_shape_compiles_again_and_padding_to_buckets_stops_it() -> None:
    lengths = [5, 7, 9, 12, 5, 7]
    raw = xla_lab.CompileCounter(_layer)
    for n in lengths:
        raw(np.ones((n, 8), np.float32))
    assert raw.compilations == 4  # one per distinct length: 5, 7, 9, 12 (repeats hit the cache)

    padded = xla_lab.CompileCounter(_layer)
    for n in lengths:
        batch, mask = xla_lab.pad_to_bucket(np.ones((n, 8), np.float32), buckets=[8, 16])
        assert mask.sum() == n and batch.shape[0] in (8, 16)
        padded(batch)
    assert padded.compilations == 2  # one per bucket


def test_bucket_errors_name_the_fix() -> None:
    assert xla_lab.bucket_size(9, [16, 8, 32]) == 16
    with pytest.raises(ValueError, match="largest bucket 32"):
        xla_lab.bucket_size(33, [8, 32])


def test_compile_is_measured_apart_from_the_runs() -> None:
    timing = xla_lab.measure_compile(_layer, np.ones((64, 8), np.float32), repeats=3)
    assert timing.compile_seconds > 0 and timing.steady_run_seconds > 0
    assert timing.compile_seconds > timing.steady_run_seconds  # compiling costs more than one small run


def test_bf16_error_is_bounded_but_not_zero() -> None:
    x = np.random.default_rng(0).normal(size=(128, 64)).astype(np.float32)
    report = xla_lab.compare_bf16(lambda a: a @ a.T, x, repeats=2)
    assert 0 < report.relative_error < 0.02  # bf16 keeps 8 bits of mantissa: ~0.4 % per rounding
    assert report.max_abs_error > 0


def test_virtual_devices_must_be_set_before_jax_starts() -> None:
    import jax

    with pytest.raises(RuntimeError, match="Restart the kernel"):
        xla_lab.use_virtual_cpu_devices(jax.device_count() + 3)


def test_data_parallel_over_four_virtual_devices_in_a_fresh_process() -> None:
    script = textwrap.dedent(
        """
        import json
        import numpy as np
        from gcp_ai_services.tpu import xla_lab

        xla_lab.use_virtual_cpu_devices(4)
        import jax

        rng = np.random.default_rng(1)
        x = rng.normal(size=(64, 4)).astype(np.float32)
        y = x @ np.array([1.0, -2.0, 0.5, 3.0], np.float32)
        w = np.zeros(4, np.float32)
        result = xla_lab.data_parallel_gradient(w, x, y)
        mapped = xla_lab.shard_map_gradient(w, x, y)
        print(json.dumps({
            "devices": jax.device_count(),
            "rows": result.rows_per_device,
            "difference": result.max_difference,
            "mapped_difference": float(np.max(np.abs(mapped - result.single_device_gradient))),
        }))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["devices"] == 4 and answer["rows"] == [16, 16, 16, 16]
    assert answer["difference"] < 1e-4 and answer["mapped_difference"] < 1e-4
