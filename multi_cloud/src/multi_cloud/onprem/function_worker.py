"""A warm function worker: imports one handler once, then serves invocations as JSON lines on a pipe.

Run by :mod:`multi_cloud.onprem.function_runtime` as ``python -m multi_cloud.onprem.function_worker CONFIG``
with CONFIG a JSON object (code_dir, handler, memory_mb, log_file, idle_exit_seconds, function_name,
function_version, and the limits of :mod:`multi_cloud.onprem.worker_limits`). The protocol uses private
duplicates of stdin/stdout; the handler's own stdin is /dev/null and its stdout/stderr (fd 1 and 2, so C
extensions and child processes too) go to ``log_file``. Only the standard library is imported here (and
this package's stdlib-only helpers), so a cold start costs an interpreter plus the handler.

Messages: worker -> ``{"ready": true, "init_ms": ...}`` (or ``{"ready": false, <error>}`` then exit); parent
-> ``{"request_id", "event", "deadline_ms"}``; worker -> ``{"ok": true, "payload"}`` or ``{"ok": false,
"error_type", "error_message", "traceback"}``, each with ``duration_ms`` and ``max_memory_mb``.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import io
import json
import os
import resource
import select
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

from multi_cloud.onprem import worker_limits

MIB = 1024 * 1024


class LambdaContext:
    """The context object a Lambda handler receives (the commonly used attributes)."""

    def __init__(self, config: dict[str, Any], request_id: str, deadline_ms: float) -> None:
        self.function_name: str = config["function_name"]
        self.function_version: str = str(config["function_version"])
        self.memory_limit_in_mb: int = int(config["memory_mb"])
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/[{self.function_version}]/{os.getpid()}"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(int(self._deadline_ms - time.time() * 1000), 0)


#: address space libraries reserve without using it: numpy's OpenBLAS buffers, scikit-learn and pandas map
#: ~390 MB more than the ~190 MB they hold; the resident limit (``memory_mb``) is enforced by the parent
MAPPED_ALLOWANCE_MB = 1024


def limit_memory(memory_mb: int) -> None:
    """Cap the address space at the interpreter's own, ``memory_mb`` and :data:`MAPPED_ALLOWANCE_MB`.

    A guard for this machine (one huge allocation fails at once with ``MemoryError``), not the limit:
    Lambda and Cloud Functions count resident memory, which the parent measures (:mod:`.worker_memory`).
    """
    try:
        with open("/proc/self/statm") as statm:
            baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        baseline = 0
    limit = baseline + (memory_mb + MAPPED_ALLOWANCE_MB) * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def redirect_output(log_file: str) -> tuple[IO[bytes], IO[bytes]]:
    """Keep private copies of stdin/stdout for the protocol; point fds 0/1/2 away from the pipes."""
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # flush each line, so a killed handler's output survives
            stream.reconfigure(line_buffering=True, write_through=True)
    return protocol_in, protocol_out


def error_fields(exc: BaseException, *, skip_frames: int = 0) -> dict[str, Any]:
    tb = exc.__traceback__
    for _ in range(skip_frames):
        tb = tb.tb_next if tb is not None else None
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return {"ok": False, "error_type": type(exc).__name__, "error_message": str(exc), "traceback": text}


def load_handler(code_dir: str, handler: str) -> Callable[..., Any]:
    module_name, _, function_name = handler.rpartition(".")
    sys.path.insert(0, code_dir)
    module = importlib.import_module(module_name)
    try:
        return getattr(module, function_name)  # type: ignore[no-any-return]
    except AttributeError:
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_name}'") from None


def run_handler(function: Callable[..., Any], event: Any, context: LambdaContext) -> dict[str, Any]:
    try:
        result = function(event, context)
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
    except BaseException as exc:  # noqa: BLE001 - every handler failure becomes an error result
        fields = error_fields(exc, skip_frames=1)
        fields["exit"] = isinstance(exc, SystemExit)
        return fields
    try:
        return {"ok": True, "payload_json": json.dumps(result)}
    except (TypeError, ValueError) as exc:
        return {
            "ok": False,
            "error_type": "Runtime.MarshalError",
            "error_message": f"Unable to marshal response: {exc}. Return only JSON types "
            "(dict, list, str, int, float, bool, None).",
            "traceback": "",
        }


def send(out: IO[bytes], message: dict[str, Any]) -> None:
    payload_json = message.pop("payload_json", None)
    line = json.dumps(message)  # never empty: every message has "ok" or "ready"
    if payload_json is not None:  # splice the already-serialised payload in instead of encoding it twice
        line = f'{line[:-1]}, "payload": {payload_json}}}'
    out.write(line.encode() + b"\n")
    out.flush()


def wait_for_request(stream: IO[bytes], idle_exit_seconds: float) -> bytes:
    """The next request line, or b"" when the parent is gone or nothing arrived for too long."""
    ready, _, _ = select.select([stream], [], [], idle_exit_seconds)
    return stream.readline() if ready else b""


def main() -> None:
    config = json.loads(sys.argv[1])
    protocol_in, protocol_out = redirect_output(config["log_file"])
    started = time.perf_counter()
    worker_limits.become_subreaper()
    worker_limits.die_with_parent(protocol_in.fileno())
    worker_limits.apply(config)
    limit_memory(int(config["memory_mb"]))
    try:
        function = load_handler(config["code_dir"], config["handler"])
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, then this worker ends
        fields = error_fields(exc)
        if isinstance(exc, AttributeError):
            fields["error_type"] = "Runtime.HandlerNotFound"
        else:
            fields["error_type"] = "Runtime.ImportModuleError"
            fields["error_message"] = (
                f"Unable to import module '{config['handler'].rpartition('.')[0]}': {exc}"
            )
        send(protocol_out, {"ready": False, **fields})
        return
    send(protocol_out, {"ready": True, "init_ms": (time.perf_counter() - started) * 1000})
    serve(config, function, protocol_in, protocol_out)


def serve(
    config: dict[str, Any], function: Callable[..., Any], protocol_in: IO[bytes], protocol_out: IO[bytes]
) -> None:
    while line := wait_for_request(protocol_in, float(config["idle_exit_seconds"])):
        request = json.loads(line)
        context = LambdaContext(config, request["request_id"], request["deadline_ms"])
        begun = time.perf_counter()
        response = run_handler(function, request["event"], context)
        sys.stdout.flush()
        sys.stderr.flush()
        response["duration_ms"] = (time.perf_counter() - begun) * 1000
        response["max_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        must_exit = response.pop("exit", False)
        send(protocol_out, response)
        if must_exit:
            return


if __name__ == "__main__":
    try:
        main()
    finally:  # the parent is gone, the worker idled out, the import failed or the handler called sys.exit
        worker_limits.kill_descendants()
