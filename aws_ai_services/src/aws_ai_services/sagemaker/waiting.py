"""Wait for a SageMaker resource to leave its in-progress states, polling with backoff.

The first polls come quickly (a local job ends in about a second), later ones every ``max_delay`` seconds
(a job in AWS runs minutes to hours, and DescribeTrainingJob is throttled), so the same loop serves both
without asking which one it talks to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from multi_cloud.core.errors import Unavailable

FIRST_DELAY = 0.05
MAX_DELAY = 30.0


def wait_until_done(
    describe: Callable[[], Mapping[str, Any]],
    status_key: str,
    pending: Collection[str],
    *,
    timeout: float,
    what: str,
    first_delay: float = FIRST_DELAY,
    max_delay: float = MAX_DELAY,
) -> Mapping[str, Any]:
    """Call ``describe()`` until ``description[status_key]`` is not in ``pending``; the last description."""
    deadline = time.monotonic() + timeout
    delay = first_delay
    while True:
        description = describe()
        if description[status_key] not in pending:
            return description
        if time.monotonic() + delay > deadline:
            raise Unavailable(
                f"{what} is still {description[status_key]} after {timeout:.0f} s; it goes on in the "
                "service: describe it again later, or stop it",
                provider="aws",
                operation=what,
            )
        time.sleep(delay)
        delay = min(delay * 1.5, max_delay)
