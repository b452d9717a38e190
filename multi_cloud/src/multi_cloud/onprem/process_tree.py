"""Find and kill every process a function worker started, whatever session or process group it moved to.

Each worker carries a unique marker variable (``CLOUDAI_WORKER_MARK``) that its descendants inherit, and
makes itself a child subreaper, so orphans reparent to it rather than to init. A process belongs to a worker
when it descends from it (by parent PID) or carries its marker. :func:`kill_tree` stops the worker's
process group at once, then every descendant that left it (SIGSTOP: a stopped process cannot fork) until a
walk finds nobody new, SIGKILLs them all, then kills whatever else carries the marker until none is left.
Linux reads ``/proc``; elsewhere only the process group is reachable.
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


def descendants(root: int) -> set[int]:
    """``root`` and its descendants (cheap: walks only the tree's ``children`` lists)."""
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
    return seen


def count(root: int) -> int:
    """How many processes ``root`` and its descendants are (0 where ``/proc`` is missing)."""
    return len(descendants(root)) if has_proc() else 0


def kill_tree(root: int, mark: str, *, timeout: float = 10.0) -> int:
    """Kill ``root`` and every process it started (see module docstring); returns how many were killed.

    ``root`` must still be unreaped (or -1: then only the marker finds them), so its PID is not reused.
    """
    if not has_proc():
        if root > 0:
            _signal_group(root, signal.SIGKILL)
        return 1
    killed: set[int] = set()
    deadline = time.monotonic() + timeout
    me = os.getpid()  # a worker may clean up after its own handler: it then spares itself and its group
    if root > 0:
        if root != me:
            _signal_group(root, signal.SIGSTOP)  # at once, the whole group (a fork bomb stays in it)
        frozen: set[int] = {me}
        while True:  # then whatever moved to another group: until a walk finds nobody new
            found = descendants(root) - frozen
            if not found:
                break
            for pid in found:
                _send(pid, signal.SIGSTOP)
            frozen |= found
        frozen.discard(me)
        if root != me:
            _signal_group(root, signal.SIGKILL)
        for pid in frozen:
            _send(pid, signal.SIGKILL)
        killed |= frozen
    while time.monotonic() < deadline:  # orphans of processes that died before: found by the marker
        found = members(-1, mark)
        if not found:
            break
        for pid in found:
            _send(pid, signal.SIGSTOP)
        for pid in found:
            _send(pid, signal.SIGKILL)
        killed |= found
        time.sleep(0.01)
    return len(killed)


def _send(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
