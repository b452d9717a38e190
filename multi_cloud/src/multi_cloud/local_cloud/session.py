"""Find or start a local cloud for this process (notebooks, demos) and export its environment."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from contextlib import contextmanager

from multi_cloud.local_cloud.cloud import LocalCloud

_IN_PROCESS: LocalCloud | None = None


def ensure_running(names: list[str] | None = None) -> dict[str, str]:
    """Point the SDKs at a local cloud and return its environment ({} in cloud mode: nothing to do).

    Uses the background one (``cloudai local up``) when it runs, otherwise starts one inside this
    process (only the backends in ``names``, when given) that lives until the process exits.
    """
    global _IN_PROCESS
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud.control import status

    if not get_settings().is_local:
        return {}

    background = status()
    if background.running and background.env:
        os.environ.update(background.env)
        return dict(background.env)
    if _IN_PROCESS is None:
        _IN_PROCESS = LocalCloud(names).start()
        atexit.register(_IN_PROCESS.stop)
    env = _IN_PROCESS.env()
    os.environ.update(env)
    return env


@contextmanager
def local_cloud_session(names: list[str] | None = None) -> Iterator[dict[str, str]]:
    """For one program run (a demo): use the background local cloud or start one just for the block.

    In cloud mode it does nothing, so the same demo runs against the real clouds.
    """
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud.control import status

    if not get_settings().is_local:
        yield {}
        return
    background = status()
    if background.running and background.env:
        previous = {key: os.environ.get(key) for key in background.env}
        os.environ.update(background.env)
        try:
            yield dict(background.env)
        finally:
            LocalCloud.restore_env(previous)
        return
    with LocalCloud(names) as cloud:
        previous = cloud.apply_env()
        try:
            yield cloud.env()
        finally:
            LocalCloud.restore_env(previous)
