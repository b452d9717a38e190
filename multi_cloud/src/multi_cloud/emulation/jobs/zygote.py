"""The fork server's process: import the heavy modules once, then fork one child per job request.

Protocol (one Unix-socket connection per job): the client sends one JSON line (script, argv, cwd, env,
stdout, stderr); the server answers ``{"pid": N}`` once the child runs and ``{"exit": code}`` when it ends
(negative: killed by that signal). Single-threaded: a ``select`` loop that also reaps children.

The server's stdin is a pipe its starter never writes: end of file there means the starter is gone (even
killed with SIGKILL), so the server kills its running jobs and exits instead of outliving it.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import select
import signal
import socket
import sys
import traceback
from typing import Any


def main(address: str, modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a missing optional module only costs speed
            continue
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = address + ".tmp"
    listener.bind(temporary)
    listener.listen(64)
    os.rename(temporary, address)  # the address appears only once the server accepts
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    waiting: dict[int, socket.socket] = {}
    try:
        serve(listener, waiting)
    finally:
        stop_jobs(waiting)
        listener.close()


def serve(listener: socket.socket, waiting: dict[int, socket.socket]) -> None:
    """Fork a child per request until the starter closes our stdin (it exited or died)."""
    starter = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([listener, starter], [], [], 0.02)
        if starter in readable and not os.read(starter, 1):
            return
        if listener in readable:
            connection, _ = listener.accept()
            try:
                request = json.loads(connection.makefile("r").readline())
                pid = os.fork()
            except Exception:  # noqa: BLE001 - a bad request closes its connection, the server goes on
                connection.close()
                continue
            if pid == 0:
                listener.close()
                for other in waiting.values():
                    other.close()
                connection.close()
                run_child(request)  # never returns
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            waiting[pid] = connection
        reap(waiting)


def stop_jobs(waiting: dict[int, socket.socket]) -> None:
    """Kill the jobs still running (each leads its own session, so its whole process group)."""
    for pid in list(waiting):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    reap(waiting)


def reap(waiting: dict[int, socket.socket]) -> None:
    while waiting:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = waiting.pop(pid, None)
        if connection is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        try:
            connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
        except OSError:
            pass
        connection.close()


def run_child(request: dict[str, Any]) -> None:
    """In the forked child: become the job (session, files, environment, argv) and run the script."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _redirect(0, os.devnull, os.O_RDONLY)
        _redirect(1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _redirect(2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
        script = request["script"]
        sys.path[:0] = [os.path.dirname(os.path.abspath(script)), *extra]
        sys.argv = list(request["argv"])
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - the script's error ends the job, as in a fresh interpreter
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _redirect(fd: int, path: str, flags: int) -> None:
    target = os.open(path, flags, 0o644)
    os.dup2(target, fd)
    os.close(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
