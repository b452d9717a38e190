"""Limits a function worker sets on itself at start (files, file size, processes; subreaper; parent death).

Isolation for mistakes, not a security boundary: a handler that forks without end, writes a huge file or
leaks descriptors fails as it would in Lambda instead of taking the machine down. Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import resource
import select
import sys
import threading
from typing import Any

MIB = 1024 * 1024
#: Lambda's quotas: 1,024 file descriptors, 1,024 processes and threads, 512 MB of /tmp by default
MAX_OPEN_FILES = 1024
MAX_PROCESSES = 1024
MAX_FILE_SIZE_MB = 512
_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphans of the handler's children reparent to this worker, not to init (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def die_with_parent(protocol_fd: int) -> None:
    """When the parent dies (its end of the pipe hangs up), kill what the handler started and exit."""

    def watch() -> None:
        poller = select.poll()
        poller.register(protocol_fd, 0)  # no events asked: poll returns only on hang-up or error
        while not poller.poll():
            pass
        kill_descendants()
        os._exit(1)

    threading.Thread(target=watch, name="cloudai-parent-watch", daemon=True).start()


def kill_descendants() -> None:
    """Kill every process the handler started (the worker's last act, however it ends)."""
    from multi_cloud.onprem import process_tree

    process_tree.kill_tree(os.getpid(), os.environ.get(process_tree.MARK_VARIABLE, ""))


def apply(config: dict[str, Any]) -> None:
    """Cap open files, the size of any file written, and (for a non-root user) the number of processes."""
    _cap(resource.RLIMIT_NOFILE, int(config.get("max_open_files", MAX_OPEN_FILES)))
    _cap(resource.RLIMIT_FSIZE, int(config.get("max_file_size_mb", MAX_FILE_SIZE_MB)) * MIB)
    # RLIMIT_NPROC counts every task of the real user and the kernel never applies it to root; the parent
    # also counts the worker's processes while it runs (function_runtime), which covers root too
    if os.path.isdir("/proc/self/task"):  # the user's task count is read there (Linux)
        _cap(resource.RLIMIT_NPROC, _user_tasks() + int(config.get("max_processes", MAX_PROCESSES)))


def _cap(limit: int, value: int) -> None:
    _soft, hard = resource.getrlimit(limit)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(limit, (value, value))


def _user_tasks() -> int:
    """How many tasks (threads) the real user runs now: RLIMIT_NPROC counts from there."""
    uid = os.getuid()
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            total += int(fields.get("Threads", "1"))
    return total
