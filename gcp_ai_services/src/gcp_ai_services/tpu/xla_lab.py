"""XLA measured with JAX on this machine's CPU: compile vs run, recompiles, padding, bf16, data parallel.

What a TPU runs is what XLA compiles; XLA's behaviour — a compilation per input shape and dtype, static
shapes, collectives over a device mesh — is the same on a CPU, only slower and without a TPU's matrix
units. Virtual devices come from ``--xla_force_host_platform_device_count``, which JAX reads from
``XLA_FLAGS`` once, when it starts: call :func:`use_virtual_cpu_devices` before anything imports JAX.
JAX itself is imported lazily, inside the functions.
"""

from __future__ import annotations

import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"


def _jax() -> Any:
    """JAX, imported on first use (it starts XLA's CPU backend with the ``XLA_FLAGS`` of that moment)."""
    return importlib.import_module("jax")


def use_virtual_cpu_devices(count: int) -> None:
    """Make JAX's CPU backend show ``count`` devices (RuntimeError if JAX started with another count)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if "jax" in sys.modules:
        jax = _jax()

        if jax.device_count() != count:
            raise RuntimeError(
                f"JAX already started with {jax.device_count()} device(s): XLA_FLAGS is read once. "
                f"Restart the kernel (or start a new process) and call use_virtual_cpu_devices({count}) "
                "before importing jax."
            )
        return
    kept = [
        flag for flag in os.environ.get("XLA_FLAGS", "").split() if not flag.startswith(DEVICE_COUNT_FLAG)
    ]
    os.environ["XLA_FLAGS"] = " ".join([*kept, f"{DEVICE_COUNT_FLAG}={count}"])


# ---------------------------------------------------------------- compile vs run
@dataclass(frozen=True)
class CompileTiming:
    """Seconds to trace and lower to StableHLO, to compile it with XLA, and to run the program."""

    lower_seconds: float
    compile_seconds: float
    first_run_seconds: float
    steady_run_seconds: float  # median of the repeats after the first

    @property
    def compile_share(self) -> float:
        """How many steady runs one compilation costs."""
        return (self.lower_seconds + self.compile_seconds) / max(self.steady_run_seconds, 1e-9)


def measure_compile(fn: Callable[..., Any], *args: Any, repeats: int = 5) -> CompileTiming:
    """Time ``jax.jit(fn)`` ahead of time: ``lower`` (trace), ``compile`` (XLA), then the compiled runs."""
    jax = _jax()

    started = time.perf_counter()
    lowered = jax.jit(fn).lower(*args)
    lowered_at = time.perf_counter()
    compiled = lowered.compile()
    compiled_at = time.perf_counter()
    jax.block_until_ready(compiled(*args))
    first_at = time.perf_counter()
    runs = []
    for _ in range(max(repeats, 1)):
        began = time.perf_counter()
        jax.block_until_ready(compiled(*args))
        runs.append(time.perf_counter() - began)
    return CompileTiming(
        lower_seconds=lowered_at - started,
        compile_seconds=compiled_at - lowered_at,
        first_run_seconds=first_at - compiled_at,
        steady_run_seconds=statistics.median(runs),
    )


class CompileCounter:
    """``jax.jit(fn)`` that counts its compilations: each call with a new shape or dtype traces ``fn`` anew.

    JAX traces the Python function once per new input signature and hands that trace to XLA to compile, so
    the number of traces is the number of programs XLA built.
    """

    def __init__(self, fn: Callable[..., Any], **jit_options: Any) -> None:
        jax = _jax()

        self.compilations = 0
        self.shapes: list[tuple[tuple[int, ...], ...]] = []

        def traced(*args: Any) -> Any:
            self.compilations += 1
            self.shapes.append(tuple(tuple(getattr(a, "shape", ())) for a in args))
            return fn(*args)

        self._jitted = jax.jit(traced, **jit_options)

    def __call__(self, *args: Any) -> Any:
        return self._jitted(*args)


# ---------------------------------------------------------------- static shapes
def bucket_size(length: int, buckets: Sequence[int]) -> int:
    """The smallest bucket that holds ``length`` items; ValueError naming the largest if none does."""
    fitting = [bucket for bucket in sorted(buckets) if bucket >= length]
    if not fitting:
        raise ValueError(f"{length} items do not fit the largest bucket {max(buckets)}: add a bigger bucket")
    return fitting[0]


def pad_to_bucket(array: Any, buckets: Sequence[int], *, value: float = 0) -> tuple[np.ndarray, np.ndarray]:
    """``array`` padded along axis 0 to its bucket, and the mask of its real rows (True) — host-side NumPy."""
    data = np.asarray(array)
    size = bucket_size(data.shape[0], buckets)
    padding = [(0, size - data.shape[0])] + [(0, 0)] * (data.ndim - 1)
    mask = np.arange(size) < data.shape[0]
    return np.pad(data, padding, constant_values=value), mask


# ---------------------------------------------------------------- bf16
@dataclass(frozen=True)
class PrecisionReport:
    """``fn`` in float32 and in bfloat16: the bf16 result's error against f32, and each one's run time."""

    max_abs_error: float
    relative_error: float  # ‖bf16 − f32‖ / ‖f32‖
    f32_seconds: float
    bf16_seconds: float


def compare_bf16(fn: Callable[..., Any], *args: Any, repeats: int = 5) -> PrecisionReport:
    """Run ``jax.jit(fn)`` on the arguments as float32 and as bfloat16 (each compiled once, then timed)."""
    jax = _jax()
    jnp = jax.numpy

    jitted = jax.jit(fn)

    def run(dtype: Any) -> tuple[np.ndarray, float]:
        cast = [jnp.asarray(a, dtype=dtype) for a in args]
        result = jax.block_until_ready(jitted(*cast))  # compiles for this dtype
        times = []
        for _ in range(max(repeats, 1)):
            began = time.perf_counter()
            jax.block_until_ready(jitted(*cast))
            times.append(time.perf_counter() - began)
        return np.asarray(result, dtype=np.float32), statistics.median(times)

    exact, f32_seconds = run(jnp.float32)
    rounded, bf16_seconds = run(jnp.bfloat16)
    error = rounded - exact
    return PrecisionReport(
        max_abs_error=float(np.max(np.abs(error))),
        relative_error=float(np.linalg.norm(error) / max(float(np.linalg.norm(exact)), 1e-30)),
        f32_seconds=f32_seconds,
        bf16_seconds=bf16_seconds,
    )


# ---------------------------------------------------------------- data parallel
def mse_loss(w: Any, x: Any, y: Any) -> Any:
    """Mean squared error of the linear model ``x @ w`` (the lessons' stand-in for a model)."""
    jnp = _jax().numpy

    return jnp.mean((x @ w - y) ** 2)


@dataclass(frozen=True)
class DataParallelResult:
    gradient: np.ndarray
    devices: int
    rows_per_device: list[int]
    single_device_gradient: np.ndarray

    @property
    def max_difference(self) -> float:
        return float(np.max(np.abs(self.gradient - self.single_device_gradient)))


def data_parallel_gradient(w: Any, x: Any, y: Any) -> DataParallelResult:
    """The loss gradient with the batch split over every device (``jax.sharding``), against one device.

    The batch is sharded along a one-axis mesh ``("data",)``, the weights replicated; ``jit`` compiles one
    program for all devices and XLA inserts the all-reduce that sums the per-device gradients — what a TPU
    slice does over its inter-chip links. The batch size must divide by the device count.
    """
    jax = _jax()
    Mesh, NamedSharding, PartitionSpec = (
        jax.sharding.Mesh,
        jax.sharding.NamedSharding,
        jax.sharding.PartitionSpec,
    )

    devices = jax.devices()
    if len(x) % len(devices):
        raise ValueError(f"a batch of {len(x)} rows does not split over {len(devices)} devices: pad it")
    mesh = Mesh(np.array(devices), ("data",))
    batch = NamedSharding(mesh, PartitionSpec("data"))
    replicated = NamedSharding(mesh, PartitionSpec())
    xs, ys = jax.device_put(x, batch), jax.device_put(y, batch)
    ws = jax.device_put(w, replicated)
    gradient = jax.jit(jax.grad(mse_loss))(ws, xs, ys)
    single = jax.jit(jax.grad(mse_loss))(*(jax.device_put(a, devices[0]) for a in (w, x, y)))
    return DataParallelResult(
        gradient=np.asarray(gradient),
        devices=len(devices),
        rows_per_device=[int(shard.data.shape[0]) for shard in xs.addressable_shards],
        single_device_gradient=np.asarray(single),
    )


def shard_map_gradient(w: Any, x: Any, y: Any) -> np.ndarray:
    """The same gradient written per device: each on its rows, ``lax.pmean`` all-reduces."""
    jax = _jax()
    Mesh, PartitionSpec = jax.sharding.Mesh, jax.sharding.PartitionSpec

    shard_map: Any = getattr(jax, "shard_map", None)
    if shard_map is None:  # jax < 0.7 (the lock's version on Python 3.10)
        shard_map = importlib.import_module("jax.experimental.shard_map").shard_map
    mesh = Mesh(np.array(jax.devices()), ("data",))
    replicated, rows = PartitionSpec(), PartitionSpec("data")

    def per_device(w: Any, x: Any, y: Any) -> Any:
        # d/dw mean((xw - y)²) on this device's rows, written out: inside shard_map, jax.grad of a replicated
        # input would already sum over devices (newer JAX), hiding the all-reduce this shows
        local = 2.0 * x.T @ (x @ w - y) / x.shape[0]
        return jax.lax.pmean(local, "data")  # the all-reduce: the mean of the equal-sized shards' gradients

    mapped = shard_map(
        per_device,
        mesh=mesh,
        in_specs=(replicated, rows, rows),
        out_specs=replicated,
    )
    return np.asarray(jax.jit(mapped)(w, x, y))
