"""Run a parsed workflow: its steps, ``assign``, ``call`` and the rest of the subset listed below.

Steps: ``assign``, ``call`` (``http.*``, ``sys.log``, ``sys.sleep``, subworkflows), ``switch``, ``for``,
``next``, ``return``, ``raise``, ``try``/``except``/``retry`` and nested ``steps``.

HTTP calls reach loopback URLs only (this machine: the local cloud's services, Cloud Run and Cloud Functions
URLs); another host raises ``ConnectionFailedError`` naming it. A non-2xx answer raises ``HttpError`` with
``code``, ``headers`` and ``body``, as Workflows does. ``parallel``, connectors (``googleapis.*``) and calls
the local cloud lacks raise ``UnsupportedError`` naming them: uncaught, it fails the execution, saying so.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.http.loopback import is_loopback_name

from gcp_ai_services.emulator.workflows.definition import Definition, Step
from gcp_ai_services.emulator.workflows.expressions import WorkflowError, error, is_expression, resolve

#: Workflows' own limits: steps per execution, call depth, the longest HTTP call
MAX_STEPS = 100_000
MAX_DEPTH = 20
MAX_HTTP_SECONDS = 1800.0
HTTP_METHODS = {
    "http.get": "GET",
    "http.post": "POST",
    "http.put": "PUT",
    "http.patch": "PATCH",
    "http.delete": "DELETE",
    "http.request": "",
}
_DEFAULT_RETRY = {"${http.default_retry}", "${http.default_retry_non_idempotent}"}
_RETRY_CODES = {429, 502, 503, 504}


class Cancelled(Exception):
    """The execution was cancelled."""


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Jump(Exception):
    def __init__(self, target: str) -> None:
        self.target = target


class _LoopControl(Exception):
    def __init__(self, verb: str) -> None:
        self.verb = verb


@dataclass
class Failure:
    """Where an uncaught error happened: the step, its routine and line."""

    step: str
    routine: str
    line: int


@dataclass
class Interpreter:
    definition: Definition
    environment: dict[str, str]
    cancelled: threading.Event
    log: Callable[[str, str], None]
    #: the step running now, as ``status.currentSteps`` shows it
    current: list[dict[str, str]] = field(default_factory=list)
    failure: Failure | None = None
    _steps_run: int = 0
    _depth: int = 0

    def run(self, argument: Any) -> Any:
        main = self.definition.routines["main"]
        arguments = {str(main.params[0]): argument} if main.params else {}
        return self.call_routine("main", arguments)

    def call_routine(self, name: str, arguments: dict[str, Any]) -> Any:
        routine = self.definition.routines[name]
        frame: dict[str, Any] = {}
        for param in routine.params:
            if isinstance(param, dict):
                ((key, default),) = param.items()
                frame[str(key)] = arguments.get(str(key), default)
            elif str(param) in arguments:
                frame[str(param)] = arguments[str(param)]
            elif name != "main":
                raise error("TypeError", f"TypeError: subworkflow {name!r} needs the argument {param!r}")
        unknown = set(arguments) - {
            str(next(iter(p))) if isinstance(p, dict) else str(p) for p in routine.params
        }
        if unknown and name != "main":
            raise error(
                "TypeError", f"TypeError: subworkflow {name!r} takes no argument {sorted(unknown)[0]!r}"
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise error("RecursionError", f"RecursionError: more than {MAX_DEPTH} nested subworkflow calls")
        try:
            self.run_steps(routine.steps, frame, name)
        except _Return as done:
            return done.value
        except _Jump as jump:
            if jump.target != "end":
                raise
        finally:
            self._depth -= 1
        return None

    def run_steps(self, steps: list[Step], frame: dict[str, Any], routine: str) -> None:
        index = 0
        names = [step.name for step in steps]
        while index < len(steps):
            step = steps[index]
            try:
                self.run_step(step, frame, routine)
            except _Jump as jump:
                if jump.target in names:
                    index = names.index(jump.target)
                    continue
                raise
            index += 1

    def run_step(self, step: Step, frame: dict[str, Any], routine: str) -> None:
        self.tick()
        self.current[:] = [{"routine": routine, "step": step.name}]
        try:
            jumped = self.do(step.body, frame, routine, step)
        except WorkflowError:
            if self.failure is None:
                self.failure = Failure(step.name, routine, step.line)
            elif not self.failure.line:  # a nested step: its enclosing step's line
                self.failure.line = step.line
            raise
        target = jumped or step.body.get("next")
        if target is not None:
            target = str(target)
            if target in ("break", "continue"):
                raise _LoopControl(target)
            raise _Jump(target)

    def do(self, body: dict[str, Any], frame: dict[str, Any], routine: str, step: Step) -> str | None:
        """Run one step body; the ``next`` a switch chose, if any."""
        env = self.environment
        if "parallel" in body:
            raise error(
                "UnsupportedError", "the local cloud does not run 'parallel' steps (see the fidelity table)"
            )
        if "try" in body:
            self.attempt(body, frame, routine, step)
            return None
        for entry in body.get("assign") or []:
            if not isinstance(entry, dict) or len(entry) != 1:
                raise error("TypeError", f"assign in step {step.name!r}: each entry is one 'name: value' map")
            ((target, value),) = entry.items()
            assign(frame, str(target), resolve(value, frame, env), env)
        if "call" in body:
            value = self.call(str(body["call"]), resolve(body.get("args") or {}, frame, env), routine)
            if body.get("result"):
                frame[str(body["result"])] = value
        if "switch" in body:
            for case in body["switch"]:
                if _truth(resolve(case["condition"], frame, env), step.name):
                    inner = {k: v for k, v in case.items() if k not in ("condition", "next")}
                    if inner:
                        jumped = self.do(inner, frame, routine, step)
                        if jumped:
                            return jumped
                    return str(case["next"]) if "next" in case else None
        if "for" in body:
            self.loop(body["for"], frame, routine)
        if "steps" in body:
            self.run_steps(self.block(body["steps"]), frame, routine)
        if "raise" in body:
            raise WorkflowError(resolve(body["raise"], frame, env))
        if "return" in body:
            raise _Return(resolve(body["return"], frame, env))
        return None

    def loop(self, loop: dict[str, Any], frame: dict[str, Any], routine: str) -> None:
        env = self.environment
        items: Iterable[Any]
        if "in" in loop:
            items = resolve(loop["in"], frame, env)
            if not isinstance(items, list):
                raise error("TypeError", f"TypeError: for 'in' needs a list, got {type(items).__name__}")
        else:
            bounds = resolve(loop["range"], frame, env)
            if not (isinstance(bounds, list) and len(bounds) == 2):
                raise error("TypeError", "TypeError: for 'range' needs a list [start, end]")
            start, end = bounds
            if not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
                raise error("TypeError", "TypeError: for 'range' bounds must be numbers")
            items = _count(start, end)
        steps = self.block(loop["steps"])
        for position, item in enumerate(items):
            self.tick()  # each iteration counts as a step: an empty or huge loop still ends
            frame[str(loop["value"])] = item
            if loop.get("index"):
                frame[str(loop["index"])] = position
            try:
                self.run_steps(steps, frame, routine)
            except _LoopControl as control:
                if control.verb == "break":
                    break

    def attempt(self, body: dict[str, Any], frame: dict[str, Any], routine: str, step: Step) -> None:
        """``try`` (steps or one call), ``retry`` with backoff, then ``except`` with the error as ``as``."""
        block = body["try"]
        retry = body.get("retry")
        policy = _retry_policy(retry)
        delay = policy["initial_delay"]
        tries = 0
        while True:
            try:
                if isinstance(block, dict) and "steps" in block:
                    self.run_steps(self.block(block["steps"]), frame, routine)
                else:
                    jumped = self.do(block, frame, routine, step)
                    if jumped:
                        raise _Jump(jumped)
                return
            except WorkflowError as failed:
                tries += 1
                if (
                    retry is not None
                    and tries <= policy["max_retries"]
                    and self.retries(retry, failed.payload)
                ):
                    self.sleep(delay)
                    delay = min(delay * policy["multiplier"], policy["max_delay"])
                    continue
                handler = body.get("except")
                if not isinstance(handler, dict):
                    raise
                self.failure = None
                if handler.get("as"):
                    frame[str(handler["as"])] = failed.payload
                self.run_steps(self.block(handler.get("steps") or []), frame, routine)
                return

    def retries(self, retry: Any, payload: Any) -> bool:
        predicate = retry if isinstance(retry, str) else (retry or {}).get("predicate", "")
        if predicate in _DEFAULT_RETRY or predicate == "${http.default_retry_predicate}":
            tags = payload.get("tags", []) if isinstance(payload, dict) else []
            code = payload.get("code") if isinstance(payload, dict) else None
            return code in _RETRY_CODES or bool({"ConnectionError", "TimeoutError"} & set(tags))
        if is_expression(predicate) and predicate[2:-1].strip() in self.definition.routines:
            return bool(self.call_routine(predicate[2:-1].strip(), {"e": payload}))
        return True

    def call(self, target: str, arguments: Any, routine: str) -> Any:
        if not isinstance(arguments, dict):
            raise error("TypeError", f"TypeError: the args of call {target!r} must be a map")
        if target in HTTP_METHODS:
            return http_call(HTTP_METHODS[target] or str(arguments.get("method", "GET")).upper(), arguments)
        if target == "sys.log":
            text = arguments.get("text", arguments.get("data", arguments.get("json")))
            self.log(
                str(arguments.get("severity", "DEFAULT")), text if isinstance(text, str) else json.dumps(text)
            )
            return None
        if target == "sys.sleep":
            self.sleep(float(arguments.get("seconds", 0)))
            return None
        if target == "sys.now":
            return time.time()
        if target == "sys.get_env":
            return self.environment.get(str(arguments.get("name", "")))
        if target in self.definition.routines and target != "main":
            return self.call_routine(target, arguments)
        kind = "connector" if target.startswith("googleapis.") else "call"
        raise error(
            "UnsupportedError",
            f"the local cloud does not implement the {kind} {target!r} (it runs http.*, sys.log, sys.sleep, "
            "sys.now, sys.get_env and subworkflows; see the fidelity table)",
        )

    def tick(self) -> None:
        """One more step: stop if cancelled or over Workflows' step limit."""
        if self.cancelled.is_set():
            raise Cancelled
        self._steps_run += 1
        if self._steps_run > MAX_STEPS:
            raise error("ResourceLimitError", f"ResourceLimitError: more than {MAX_STEPS} steps ran")

    def block(self, items: Any) -> list[Step]:
        """A nested ``steps`` list as parsed at deploy (with lines), or parsed now."""
        return self.definition.blocks.get(id(items)) or _block(items)

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise error("ValueError", "ValueError: sys.sleep needs seconds >= 0")
        if self.cancelled.wait(seconds):
            raise Cancelled


def assign(frame: dict[str, Any], target: str, value: Any, environment: dict[str, str]) -> None:
    """``x``, ``x.y`` or ``x["k"]`` / ``x[0]`` = value (maps on the way are created, as Workflows does)."""
    parts = _target_parts(target, frame, environment)
    container: Any = frame
    for index, part in enumerate(parts[:-1]):
        if isinstance(container, dict):
            nested = container.get(str(part))
            if nested is None:
                nested = container[str(part)] = {}
        elif (
            isinstance(container, list) and isinstance(part, int) and -len(container) <= part < len(container)
        ):
            nested = container[part]
        else:
            raise error("KeyError", f"KeyError: cannot assign to {target!r}: {parts[index]!r} is missing")
        container = nested
    last = parts[-1]
    if isinstance(container, dict):
        container[str(last)] = value
    elif isinstance(container, list) and isinstance(last, int) and -len(container) <= last < len(container):
        container[last] = value
    else:
        raise error("IndexError", f"IndexError: cannot assign to {target!r}")


def _target_parts(target: str, frame: dict[str, Any], environment: dict[str, str]) -> list[Any]:
    from gcp_ai_services.emulator.workflows.expressions import evaluate

    parts: list[Any] = []
    rest = target.strip()
    while rest:
        if rest.startswith("["):
            depth, end = 0, 0
            while end < len(rest):
                depth += {"[": 1, "]": -1}.get(rest[end], 0)
                if depth == 0:
                    break
                end += 1
            parts.append(evaluate(rest[1:end], frame, environment))
            rest = rest[end + 1 :]
        else:
            rest = rest.lstrip(".")
            cut = min([i for i in (rest.find("."), rest.find("[")) if i >= 0] or [len(rest)])
            parts.append(rest[:cut])
            rest = rest[cut:]
    if not parts or not isinstance(parts[0], str) or not parts[0]:
        raise error("SyntaxError", f"cannot assign to {target!r}")
    return parts


def http_call(method: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One ``http.*`` call to a loopback URL: ``{"code", "headers", "body"}`` (JSON bodies decoded)."""
    url = str(arguments.get("url", ""))
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise error("ValueError", f"ValueError: http call needs an http(s) url, got {url!r}")
    if not is_loopback_name(parts.hostname):
        raise error(
            "ConnectionFailedError",
            f"ConnectionFailedError: the local cloud calls only loopback URLs (this machine), not "
            f"{parts.hostname!r}: call your local Cloud Run or Cloud Functions URLs, or use "
            "CLOUDAI_MODE=cloud",
        )
    query = arguments.get("query") or {}
    if query:
        url += ("&" if parts.query else "?") + urllib.parse.urlencode(query, doseq=True)
    headers = {str(k): str(v) for k, v in (arguments.get("headers") or {}).items()}
    body = arguments.get("body")
    data: bytes | None = None
    if body is not None:
        if isinstance(body, str) and "content-type" in {k.lower() for k in headers}:
            data = body.encode()
        else:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
    timeout = min(float(arguments.get("timeout", 300)), MAX_HTTP_SECONDS)
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return _answer(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as failed:
        answer = _answer(failed.code, dict(failed.headers.items()), failed.read())
        raise WorkflowError(
            {
                "message": f"HTTP server responded with error code {failed.code}",
                "tags": ["HttpError"],
                **answer,
            }
        ) from failed
    except TimeoutError as exc:
        raise error("TimeoutError", f"TimeoutError: no answer from {url} within {timeout:g} s") from exc
    except OSError as exc:
        raise error("ConnectionError", f"ConnectionError: {url}: {exc}") from exc


def _answer(code: int, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
    body: Any = raw.decode("utf-8", errors="replace")
    if "json" in headers.get("Content-Type", headers.get("content-type", "")):
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            pass
    return {"code": code, "headers": headers, "body": body}


def _retry_policy(retry: Any) -> dict[str, float]:
    policy = {"max_retries": 5.0, "initial_delay": 1.0, "max_delay": 60.0, "multiplier": 1.25}
    if isinstance(retry, dict):
        backoff = retry.get("backoff") or {}
        policy["max_retries"] = float(retry.get("max_retries", policy["max_retries"]))
        for key in ("initial_delay", "max_delay", "multiplier"):
            policy[key] = float(backoff.get(key, policy[key]))
    return policy


def _count(start: float, end: float) -> Iterator[float]:
    """``start``, ``start + 1``... up to ``end`` inclusive, lazily (a huge range stops at the step limit)."""
    while start <= end:
        yield start
        start += 1


def _block(items: Any) -> list[Step]:
    return [Step(str(next(iter(i))), i[next(iter(i))], 0) for i in items]


def _truth(value: Any, step: str) -> bool:
    if not isinstance(value, bool):
        raise error("TypeError", f"TypeError: the condition in step {step!r} is not a boolean: {value!r}")
    return value
