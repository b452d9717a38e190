"""Foundation numbers: cold CLI start, import cost, the tour's wall time, per-test fixture overhead."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

# An empty pycache prefix: Python finds no .pyc anywhere and writes none, so every import compiles from
# source, even in an environment whose packages were installed with compiled bytecode.
_NO_CACHE = tempfile.mkdtemp(prefix="cloudai-no-pycache-")
COLD_ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": _NO_CACHE}


def median_seconds(args: list[str], runs: int = 7, *, cold: bool = True) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, env=COLD_ENV if cold else os.environ, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def fixture_overhead_ms(resets: int = 50) -> tuple[float, float]:
    """Median ms of LocalCloud.reset() (what every test pays) vs a bare HTTP round trip to moto."""
    from multi_cloud.local_cloud.cloud import LocalCloud

    with LocalCloud(["moto"], preferred_ports=False) as cloud:
        url = cloud.backends[0].url
        reset, ping = [], []
        for _ in range(resets):
            started = time.perf_counter()
            cloud.reset()
            reset.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            urllib.request.urlopen(url).read()
            ping.append((time.perf_counter() - started) * 1000)
    return statistics.median(reset), statistics.median(ping)


def tour_seconds() -> float:
    started = time.perf_counter()
    env = {**os.environ, "CLOUDAI_STATE_DIR": "/tmp/cloudai-bench-state"}
    result = subprocess.run(
        [sys.executable, "-m", "multi_cloud.cli.main", "demo", "tour"],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:])
        return float("nan")
    return time.perf_counter() - started


def main() -> None:
    python = sys.executable
    commands = [
        ("python -c pass (baseline)", [python, "-c", "pass"]),
        ("cloudai --help (goal <= 0.5 s cold)", [python, "-m", "multi_cloud.cli.main", "--help"]),
        ("import multi_cloud", [python, "-c", "import multi_cloud"]),
        ("import multi_cloud.core.base", [python, "-c", "import multi_cloud.core.base"]),
        ("import boto3 (for comparison)", [python, "-c", "import boto3"]),
    ]
    print("\n== start-up: median seconds; cold = no .pyc anywhere (stdlib too), warm = caches present")
    print(f"{'command':<40} {'cold':>8} {'warm':>8}")
    for name, args in commands:
        print(f"{name:<40} {median_seconds(args):>8.3f} {median_seconds(args, cold=False):>8.3f}")
    rows: list[tuple[str, float, str]] = []
    reset_ms, ping_ms = fixture_overhead_ms()
    rows += [
        ("moto fixture reset per test (goal <= 10 ms)", reset_ms, "ms"),
        ("bare HTTP round trip to moto (baseline)", ping_ms, "ms"),
        ("cloudai demo tour wall time (goal <= 20 s)", tour_seconds(), "s"),
    ]
    print("\n== foundation")
    for name, value, unit in rows:
        print(f"{name:<55} {value:>9.3f} {unit}")


if __name__ == "__main__":
    main()
