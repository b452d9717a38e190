"""Wall time of each package's test suite on this machine's cores (pytest-xdist, like `nox -s tests`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

SUITES = ["multi_cloud/tests", "aws_ai_services/tests", "gcp_ai_services/tests", "azure_ai_services/tests"]
#: the goals the issues set (seconds of wall time on this machine)
GOALS = {"gcp_ai_services/tests": 45.0, "azure_ai_services/tests": 45.0}


def main() -> None:
    print(f"\n== test suites (pytest -n {os.cpu_count()}): wall seconds, tests, per-test mean")
    for suite in SUITES:
        if not os.path.isdir(suite):
            continue
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", suite],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        match = re.search(r"(\d+) passed", result.stdout)
        passed = int(match.group(1)) if match else 0
        status = "ok" if result.returncode == 0 else f"exit {result.returncode}"
        mean_ms = 1000 * seconds / max(passed, 1)
        goal = f"  (goal <= {GOALS[suite]:.0f} s)" if suite in GOALS else ""
        print(f"{suite:<28} {seconds:>8.1f} s {passed:>6} tests {mean_ms:>8.0f} ms  {status}{goal}")


if __name__ == "__main__":
    main()
