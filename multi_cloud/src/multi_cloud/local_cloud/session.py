"""Find or start a local cloud for this process (notebooks, demos) and export its environment."""

from __future__ import annotations

import atexit
import os

from multi_cloud.local_cloud.cloud import LocalCloud

_IN_PROCESS: LocalCloud | None = None


def ensure_running() -> dict[str, str]:
    """Point the SDKs at a local cloud and return its environment.

    Uses the background one (``cloudai local up``) when it runs, otherwise starts one inside this
    process that lives until the process exits.
    """
    global _IN_PROCESS
    from multi_cloud.local_cloud.control import status

    background = status()
    if background.running and background.env:
        os.environ.update(background.env)
        return dict(background.env)
    if _IN_PROCESS is None:
        _IN_PROCESS = LocalCloud().start()
        atexit.register(_IN_PROCESS.stop)
    env = _IN_PROCESS.env()
    os.environ.update(env)
    return env
