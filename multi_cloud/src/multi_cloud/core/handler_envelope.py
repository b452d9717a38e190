"""Lambda-style ``handler(event, context)`` behind another cloud's trigger: generated runner, envelope.

A cloud whose functions are not Lambda-style gets the learner's folder plus a generated adapter module
(Cloud Functions' ``main.py``, Azure Functions' ``function_app.py``). Every adapter embeds
:data:`RUNNER_SOURCE` — it calls the handler with a context carrying ``function_name``, captures what it
prints, and answers one JSON envelope: ``payload`` (the return value) or ``errorType``/``errorMessage``/
``stackTrace``, plus ``logs`` and ``coldStart`` — and the portable service reads that envelope back with
:func:`invocation_result`, so handler errors are results, as on Lambda. The deployed code needs nothing
from this project: the runner is plain Python pasted into the generated module.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.core.types import InvocationResult

#: defines ``run_handler(event) -> dict``; the adapter defines ``_handler`` and ``FUNCTION_NAME`` first
RUNNER_SOURCE = '''
_state = {"cold": True}


class _Context:
    function_name = FUNCTION_NAME


class _Tee(io.StringIO):
    def write(self, text):
        sys.__stdout__.write(text)
        return super().write(text)


def run_handler(event):
    """The handler's envelope: payload or error, with what it printed and whether this was a cold start."""
    cold, _state["cold"] = _state["cold"], False
    logs = _Tee()
    try:
        with contextlib.redirect_stdout(logs):
            body = {"payload": _handler(event, _Context())}
    except Exception as error:  # the handler's failure is the caller's result, as on Lambda
        body = {
            "errorType": type(error).__name__,
            "errorMessage": str(error),
            "stackTrace": traceback.format_exc(),
        }
    body.update(logs=logs.getvalue(), coldStart=cold)
    return body
'''

#: the imports :data:`RUNNER_SOURCE` needs
RUNNER_IMPORTS = "import contextlib\nimport io\nimport json\nimport sys\nimport traceback\n"


def invocation_result(name: str, status: int, body: Any, text: str, duration_ms: float) -> InvocationResult:
    """The portable result of one HTTP answer from an adapter (its envelope, or the HTTP error)."""
    if status >= 400 or not isinstance(body, dict):
        return InvocationResult(
            name,
            status,
            None,
            error_type="FunctionError",
            error_message=f"HTTP {status}: {text[:500]}",
            duration_ms=duration_ms,
        )
    return InvocationResult(
        name,
        status,
        body.get("payload"),
        error_type=str(body.get("errorType", "")),
        error_message=str(body.get("errorMessage", "")),
        traceback=str(body.get("stackTrace", "")),
        logs=str(body.get("logs", "")),
        duration_ms=duration_ms,
        cold_start=bool(body.get("coldStart", False)),
    )


def timed_out(
    name: str, status: int, timeout_seconds: int, detail: str, duration_ms: float
) -> InvocationResult:
    """The portable result of an invocation the platform stopped at its timeout."""
    return InvocationResult(
        name,
        status,
        None,
        error_type="Timeout",
        error_message=f"the function timed out after {timeout_seconds} s (HTTP {status}: {detail[:200]})",
        duration_ms=duration_ms,
    )
