"""Lambda's wire shapes for a finished invocation: the payload, FunctionError, LogResult and error JSON."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.types import InvocationResult

#: Invoke's LogResult carries the last 4 KB of the execution log
LOG_TAIL_BYTES = 4096
#: where Lambda puts the function's code; tracebacks show it instead of the local directory
TASK_ROOT = "/var/task"

_REQUEST_ID = re.compile(r"^START RequestId: (\S+)", re.MULTILINE)
_EXIT_STATUS = re.compile(r"exited with status (-?\d+)")
_KILLED_BY = re.compile(r"killed by signal SIG(\w+)")
#: how Lambda's runtime reports a process ended by a signal
_SIGNAL_WORDS = {"KILL": "killed", "SEGV": "segmentation fault", "ABRT": "aborted", "TERM": "terminated"}


@dataclass(frozen=True)
class LambdaOutcome:
    """What Invoke answers: the payload bytes and, on failure, ``function_error`` = "Unhandled"."""

    payload: bytes
    function_error: str = ""
    logs: str = ""
    request_id: str = ""

    @property
    def log_result(self) -> str:
        """The ``X-Amz-Log-Result`` header: base64 of the log's last 4 KB."""
        return base64.b64encode(self.logs.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")

    @property
    def error(self) -> dict[str, Any] | None:
        return json.loads(self.payload) if self.function_error else None


def outcome_from_result(result: InvocationResult, *, code_dir: str, version: str) -> LambdaOutcome:
    """Translate an on-prem invocation result into Lambda's answer for the same outcome."""
    found = _REQUEST_ID.search(result.logs)
    request_id = found.group(1) if found else ""
    logs = re.sub(r"(START RequestId: \S+ Version: )\S+", rf"\g<1>{version}", result.logs, count=1)
    logs = logs.replace(code_dir.rstrip("/") + "/", TASK_ROOT + "/")
    if result.ok:
        return LambdaOutcome(json.dumps(result.payload).encode("utf-8"), "", logs, request_id)
    error = lambda_error(result, request_id=request_id, code_dir=code_dir)
    logs = logs.replace(f"END RequestId: {request_id}", _error_log(error) + f"END RequestId: {request_id}", 1)
    return LambdaOutcome(json.dumps(error).encode("utf-8"), "Unhandled", logs, request_id)


def lambda_error(result: InvocationResult, *, request_id: str, code_dir: str) -> dict[str, Any]:
    """Lambda's error document (errorMessage, errorType, requestId, stackTrace) for a failed invocation."""
    error_type, message = result.error_type, result.error_message
    if error_type == "TimeoutError" and not result.traceback and message.startswith("Task timed out"):
        return {"errorType": "Sandbox.Timedout", "errorMessage": f"RequestId: {request_id} Error: {message}"}
    if error_type == "Runtime.ExitError":
        return {"errorType": error_type, "errorMessage": _exit_message(message, request_id)}
    if error_type == "Runtime.OutOfMemory":  # killed over its MemorySize (the message is Lambda's)
        return {"errorType": error_type, "errorMessage": message}
    if error_type == "MemoryError":
        return {
            "errorType": "Runtime.OutOfMemory",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
        }
    initialising = error_type in ("Runtime.ImportModuleError", "Runtime.HandlerNotFound")
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": "" if initialising else request_id,
        "stackTrace": [] if initialising else stack_trace(result.traceback, code_dir),
    }


def init_error(error_type: str, message: str) -> LambdaOutcome:
    """The answer when the runtime cannot even load the handler (bad module, handler name or syntax)."""
    error = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    logs = f"[ERROR] {error_type}: {message}\n"
    return LambdaOutcome(json.dumps(error).encode("utf-8"), "Unhandled", logs, "")


def stack_trace(traceback_text: str, code_dir: str = "") -> list[str]:
    """The frames of the last traceback, one ``'  File ..., line N, in f\\n    code\\n'`` entry each."""
    if not traceback_text:
        return []
    if code_dir:
        traceback_text = traceback_text.replace(code_dir.rstrip("/") + "/", TASK_ROOT + "/")
    last = traceback_text.split("Traceback (most recent call last):\n")[-1]
    frames: list[str] = []
    for line in last.splitlines():
        if line.startswith('  File "'):
            frames.append(line + "\n")
        elif line.startswith("    ") and frames and not set(line.strip()) <= set("^~"):
            frames[-1] += line + "\n"
        elif not line.startswith(" "):
            break  # the exception line ends the frames
    return frames


def _error_log(error: dict[str, Any]) -> str:
    """The lines Lambda's Python runtime logs for a failed invocation."""
    if error["errorType"] == "Sandbox.Timedout":
        return str(error["errorMessage"]).replace(" Error: ", " ", 1) + "\n"
    text = f"[ERROR] {error['errorType']}: {error['errorMessage']}\n"
    if error.get("stackTrace"):
        text += "Traceback (most recent call last):\n" + "".join(error["stackTrace"])
    return text


def _exit_message(message: str, request_id: str) -> str:
    status, signal = _EXIT_STATUS.search(message), _KILLED_BY.search(message)
    if status:
        reason = f"exit status {status.group(1)}"
    elif signal:
        reason = f"signal: {_SIGNAL_WORDS.get(signal.group(1), signal.group(1).lower())}"
    else:
        return message
    return f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
