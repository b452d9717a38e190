"""A function worker's memory as Lambda counts it: the peak resident memory of its execution environment.

Lambda's limit (``MemorySize``) holds the runtime, the handler and whatever they start, and Lambda kills an
environment that needs more (``Runtime exited with error: signal: killed``); its ``REPORT`` line never says
more than the limit. The worker's address-space limit (``memory_mb`` and an allowance for mapped but
unused memory on top of the interpreter's own address space,
:func:`multi_cloud.onprem.function_worker.limit_memory`) only guards this machine: resident memory could
grow past ``memory_mb`` under it. So the parent measures what the limit is about, resident
memory: the worker's peak (``VmHWM``, which no spike between two samples escapes) plus the memory only the
processes it started hold, and kills the worker above ``memory_mb``. Linux reads ``/proc``; elsewhere
nothing is measured (0).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

MIB = 1024 * 1024
_PROC = Path("/proc")


def _status_kib(pid: int, field: str) -> int:
    """``field`` (``VmHWM``, ``VmRSS``) of ``/proc/<pid>/status`` in KiB; 0 once the process is gone."""
    try:
        with open(_PROC / str(pid) / "status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _private_kib(pid: int) -> int:
    """Memory only ``pid`` holds (``Private_Clean`` + ``Private_Dirty``, KiB): pages a forked child still
    shares with the worker are in the worker's resident memory already, as a memory cgroup charges a page
    once."""
    total = 0
    try:
        with open(_PROC / str(pid) / "smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except FileNotFoundError:  # a kernel before 4.14, or the process is gone
        return _status_kib(pid, "VmRSS")
    except (OSError, ValueError, IndexError):
        return 0
    return total


def used_mb(worker: int, others: Iterable[int] = ()) -> float:
    """MiB the execution environment holds: ``worker``'s peak resident memory plus what only ``others``
    (the processes it started) hold now."""
    kib = _status_kib(worker, "VmHWM") + sum(_private_kib(pid) for pid in others if pid != worker)
    return kib / 1024


def over_limit(used: float, memory_mb: int) -> bool:
    return used > memory_mb
