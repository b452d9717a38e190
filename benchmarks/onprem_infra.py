"""Benchmark the on-prem infrastructure services: object store throughput, function starts, event latency."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from multi_cloud.core.types import Event
from multi_cloud.onprem.events import OnPremEvents
from multi_cloud.onprem.functions import OnPremFunctions
from multi_cloud.onprem.storage import LocalObjectStorage

OBJECTS = 1000
OBJECT_BYTES = 1024
COLD_RUNS = 10
WARM_RUNS = 50
EVENTS = 200

HANDLER = "def handler(event, context):\n    return {'echo': event.get('n')}\n"


def rate(count: int, seconds: float) -> tuple[float, float]:
    return count / seconds, count * OBJECT_BYTES / seconds / 1e6


def bench_storage(root: Path, *, durable: bool) -> tuple[float, float, float, float]:
    store = LocalObjectStorage("onprem", root, durable=durable)
    store.create_bucket("bench")
    payload = b"x" * OBJECT_BYTES
    started = time.perf_counter()
    for i in range(OBJECTS):
        store.put_object("bench", f"items/{i // 100:02d}/{i:05d}.bin", payload)
    put_seconds = time.perf_counter() - started
    keys = [o.key for o in store.list_objects("bench", "items/")]
    started = time.perf_counter()
    for key in keys:
        store.get_object("bench", key)
    get_seconds = time.perf_counter() - started
    return (*rate(OBJECTS, put_seconds), *rate(len(keys), get_seconds))


def bench_plain_files(root: Path) -> tuple[float, float, float, float]:
    """Baseline: write_bytes/read_bytes of the same files, with no atomicity, metadata or fsync."""
    payload = b"x" * OBJECT_BYTES
    paths = [root / f"{i // 100:02d}" / f"{i:05d}.bin" for i in range(OBJECTS)]
    started = time.perf_counter()
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for path in paths:
        path.read_bytes()
    return (*rate(OBJECTS, put_seconds), *rate(OBJECTS, time.perf_counter() - started))


def bench_functions(root: Path) -> tuple[list[float], list[float]]:
    source = root / "src"
    source.mkdir(parents=True)
    (source / "app.py").write_text(HANDLER)
    functions = OnPremFunctions("onprem", root / "functions")
    functions.deploy("echo", str(source), "app.handler", memory_mb=256)
    cold, warm = [], []
    try:
        for _ in range(COLD_RUNS):
            functions.close()  # no warm worker left: the next invocation starts a new interpreter
            result = functions.invoke("echo", {"n": 1})
            assert result.cold_start and result.ok
            cold.append(result.duration_ms)
        for n in range(WARM_RUNS):
            result = functions.invoke("echo", {"n": n})
            assert not result.cold_start and result.payload == {"echo": n}
            warm.append(result.duration_ms)
    finally:
        functions.close()
    return cold, warm


def bench_events(root: Path) -> tuple[list[float], list[float]]:
    source = root / "src"
    source.mkdir(parents=True)
    (source / "app.py").write_text(HANDLER)
    functions = OnPremFunctions("onprem", root / "functions")
    functions.deploy("echo", str(source), "app.handler")
    events = OnPremEvents("onprem", root / "events", functions)
    received: list[float] = []
    events.put_rule(
        "bench", "to-callable", {"detail-type": ["Tick"]}, lambda e: received.append(time.perf_counter())
    )
    events.put_rule("bench", "to-function", {"detail-type": ["Tock"]}, "echo")
    callable_ms, function_ms = [], []
    try:
        for n in range(EVENTS):
            sent = time.perf_counter()
            events.publish("bench", Event("bench", "Tick", {"n": n}))
            callable_ms.append((received[-1] - sent) * 1000)
        events.publish("bench", Event("bench", "Tock", {"n": -1}))  # warm the function up
        for n in range(EVENTS // 4):
            sent = time.perf_counter()
            events.publish("bench", Event("bench", "Tock", {"n": n}))
            function_ms.append((time.perf_counter() - sent) * 1000)
    finally:
        functions.close()
    return callable_ms, function_ms


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print(f"Object store: {OBJECTS} objects of {OBJECT_BYTES} B (tmp dir: {root})")
        print(f"  {'variant':<34}{'put obj/s':>11}{'put MB/s':>10}{'get obj/s':>11}{'get MB/s':>10}")
        rows = {
            "LocalObjectStorage (fsync, atomic)": bench_storage(root / "durable", durable=True),
            "LocalObjectStorage (durable=False)": bench_storage(root / "fast", durable=False),
            "baseline: plain write/read_bytes": bench_plain_files(root / "plain"),
        }
        for name, (put_ops, put_mb, get_ops, get_mb) in rows.items():
            print(f"  {name:<34}{put_ops:>11.0f}{put_mb:>10.2f}{get_ops:>11.0f}{get_mb:>10.2f}")

        cold, warm = bench_functions(root / "fn")
        print("\nFunctions: wall time of invoke (ms)")
        print(f"  {'start':<10}{'runs':>6}{'median':>10}{'p95':>10}{'min':>10}")
        for name, values in (("cold", cold), ("warm", warm)):
            median, slow, fastest = statistics.median(values), p95(values), min(values)
            print(f"  {name:<10}{len(values):>6}{median:>10.2f}{slow:>10.2f}{fastest:>10.2f}")

        callable_ms, function_ms = bench_events(root / "ev")
        print("\nEvents: publish -> delivered (ms, synchronous delivery, outbox fsync included)")
        print(f"  {'target':<18}{'events':>7}{'median':>10}{'p95':>10}")
        for name, values in (("python callable", callable_ms), ("warm function", function_ms)):
            print(f"  {name:<18}{len(values):>7}{statistics.median(values):>10.2f}{p95(values):>10.2f}")


if __name__ == "__main__":
    main()
