"""Amazon States Language helpers: build Task chains and check a definition's structure before sending it.

``static_problems`` finds what AWS's static analysis reports (and moto's parser does not): a missing
start state, transitions to states that do not exist, states nothing reaches, no way to end. Syntax and
schema errors are left to the service, which answers InvalidDefinition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

TERMINAL_TYPES = frozenset({"Succeed", "Fail"})


def lambda_task(function_arn: str, *, retry_on: Sequence[str] = (), max_attempts: int = 2) -> dict[str, Any]:
    """A Task state that invokes a Lambda function with the state's input and outputs its result."""
    state: dict[str, Any] = {"Type": "Task", "Resource": function_arn}
    if retry_on:
        state["Retry"] = [
            {
                "ErrorEquals": list(retry_on),
                "IntervalSeconds": 1,
                "MaxAttempts": max_attempts,
                "BackoffRate": 2.0,
            }
        ]
    return state


def chain(steps: Sequence[tuple[str, Mapping[str, Any]]], *, comment: str = "") -> dict[str, Any]:
    """A definition running ``steps`` ((name, state) pairs) one after the other."""
    if not steps:
        raise ValueError("a state machine needs at least one state")
    states: dict[str, Any] = {}
    for index, (name, state) in enumerate(steps):
        body = dict(state)
        if body.get("Type") not in TERMINAL_TYPES:
            if index + 1 < len(steps):
                body["Next"] = steps[index + 1][0]
            else:
                body["End"] = True
        states[name] = body
    definition: dict[str, Any] = {"StartAt": steps[0][0], "States": states}
    if comment:
        definition["Comment"] = comment
    return definition


def static_problems(definition: Mapping[str, Any]) -> list[str]:
    """AWS-style diagnostics ("CODE: message at /path") for the definition's transitions, in order."""
    states = definition.get("States")
    start = definition.get("StartAt")
    if not isinstance(states, Mapping) or not isinstance(start, str):
        return []  # a schema problem: the service's InvalidDefinition says which
    problems = []
    if start not in states:
        problems.append(f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {start} at /StartAt")
    for path, target in _transitions(states, "/States"):
        if target not in states:
            problems.append(f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {target} at {path}")
    reachable = _reachable(states, start)
    for name in states:
        if name not in reachable and start in states:
            problems.append(f"UNREACHABLE_STATE: State {name} is not reachable at /States/{name}")
    if not any(_ends(state) for state in states.values() if isinstance(state, Mapping)):
        problems.append("NO_TERMINAL_STATE: No terminal state (End: true, Succeed or Fail) at /States")
    return problems


def _transitions(states: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str]]:
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        where = f"{prefix}/{name}"
        if isinstance(state.get("Next"), str):
            yield f"{where}/Next", state["Next"]
        if isinstance(state.get("Default"), str):
            yield f"{where}/Default", state["Default"]
        for index, choice in enumerate(state.get("Choices") or []):
            if isinstance(choice, Mapping) and isinstance(choice.get("Next"), str):
                yield f"{where}/Choices[{index}]/Next", choice["Next"]
        for index, catcher in enumerate(state.get("Catch") or []):
            if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
                yield f"{where}/Catch[{index}]/Next", catcher["Next"]


def _reachable(states: Mapping[str, Any], start: Any) -> set[str]:
    seen: set[str] = set()
    pending = [start] if isinstance(start, str) else []
    while pending:
        name = pending.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        pending.extend(target for _, target in _transitions({name: states[name]}, ""))
    return seen


def _ends(state: Mapping[str, Any]) -> bool:
    return state.get("End") is True or state.get("Type") in TERMINAL_TYPES
