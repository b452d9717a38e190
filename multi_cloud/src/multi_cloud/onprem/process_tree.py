"""Find and kill every process a function worker started, whatever session or process group it moved to.

Each worker carries a unique marker variable (``CLOUDAI_WORKER_MARK``) that its descendants inherit, and
makes itself a child subreaper, so orphans reparent to it rather than to init. A process belongs to a worker
when it descends from it (by parent PID) or carries its marker. :func:`kill_tree` stops every member
(SIGSTOP: a stopped process cannot fork), rescans until no new member appears, then SIGKILLs them all and
repeats until none is left. Linux reads ``/proc``; elsewhere only the process group is reachable.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

MARK_VARIABLE = "CLOUDAI_WORKER_MARK"
_PROC = Path("/proc")


def has_proc() -> bool:
    return (_PROC / "self" / "stat").exists()


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent PID, state letter) of ``pid``, or None once it is gone."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()  # the command name may contain spaces and ")"
    return int(fields[1]), fields[0]


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in _PROC.iterdir() if entry.name.isdigit()]


def _marked(pid: int, mark: bytes) -> bool:
    try:
        return mark in (_PROC / str(pid) / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


def members(root: int, mark: str, *, with_marks: bool = True) -> set[int]:
    """Live (non-zombie) processes that descend from ``root`` or carry ``mark``; ``root`` included."""
    parents: dict[int, int] = {}
    for pid in _all_pids():
        stat = _stat(pid)
        if stat is not None and stat[1] not in "ZX":
            parents[pid] = stat[0]
    found = {root} if root in parents else set()
    if with_marks:
        needle = f"{MARK_VARIABLE}={mark}".encode()
        found |= {pid for pid in parents if pid != os.getpid() and _marked(pid, needle)}
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    stack = [root, *found]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    found.discard(os.getpid())
    return found


def count(root: int) -> int:
    """How many processes ``root`` and its descendants are (cheap: walks only the tree's children lists)."""
    if not has_proc():
        return 0
    seen = {root}
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            tasks = list((_PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    return len(seen)


def kill_tree(root: int, mark: str, *, timeout: float = 10.0) -> int:
    """Kill ``root`` and every process it started (see module docstring); returns how many were killed."""
    if not has_proc():
        _signal_group(root)
        return 1
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frozen: set[int] = set()
        while True:  # freeze until a scan finds nobody new (stopped processes cannot fork)
            found = members(root, mark) - frozen
            if not found:
                break
            for pid in found:
                _send(pid, signal.SIGSTOP)
            frozen |= found
        if not frozen:
            return len(killed)
        for pid in frozen:
            _send(pid, signal.SIGKILL)
        killed |= frozen
        time.sleep(0.01)
    return len(killed)


def _send(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
