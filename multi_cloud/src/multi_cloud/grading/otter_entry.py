"""``python -m otter`` with a patient kernel start: nbclient waits 60 s, too short on a loaded machine."""

from __future__ import annotations

import runpy

#: seconds a kernel may take to answer its first request (nbclient's default: 60)
KERNEL_STARTUP_TIMEOUT = 300


def main() -> None:
    """Raise nbclient's kernel startup timeout, then run otter's command line as ``python -m otter``."""
    from nbclient import NotebookClient

    # otter builds its ExecutePreprocessor from a fresh Config, so the trait's default is the one lever
    NotebookClient.class_traits()["startup_timeout"].default_value = KERNEL_STARTUP_TIMEOUT
    runpy.run_module("otter", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
