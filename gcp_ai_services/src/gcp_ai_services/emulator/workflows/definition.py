"""A workflow's ``sourceContents`` (YAML or JSON) parsed into routines, checked as Google's deploy does.

The source is either a list of steps (the ``main`` routine) or a map of routines (``main`` and subworkflows,
each ``{params: [...], steps: [...]}``). Every step is a one-key map ``{name: body}`` whose body keys are
Workflows' own (:data:`STEP_KEYS`); an unknown key, a step that is not a map, a ``next`` to no step, or a
missing ``main`` is INVALID_ARGUMENT naming the line and the step. Keys Workflows has but the local cloud
does not run (``parallel``) pass the deploy check and fail the execution that reaches them.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

STEP_KEYS = frozenset(
    {
        "assign",
        "call",
        "args",
        "result",
        "next",
        "switch",
        "for",
        "return",
        "raise",
        "try",
        "except",
        "retry",
        "steps",
        "parallel",
    }
)
SWITCH_KEYS = frozenset({"condition", "next", "steps", "assign", "call", "args", "result", "return", "raise"})
FOR_KEYS = frozenset({"value", "index", "in", "range", "steps"})
ROUTINE_KEYS = frozenset({"params", "steps"})
CONTROL_TARGETS = frozenset({"end", "break", "continue"})


@dataclass
class Step:
    name: str
    body: dict[str, Any]
    line: int


@dataclass
class Routine:
    name: str
    params: list[Any]
    steps: list[Step]
    line: int


@dataclass
class Definition:
    routines: dict[str, Routine] = field(default_factory=dict)
    #: every nested ``steps`` list (by ``id``) parsed, with its steps' lines, for the interpreter
    blocks: dict[int, list[Step]] = field(default_factory=dict)


_BLOCKS: ContextVar[dict[int, list[Step]]] = ContextVar("workflow_blocks")


def parse(source: str) -> Definition:
    """The routines of ``source``; INVALID_ARGUMENT naming the line and step of the first problem."""
    import yaml

    if not source.strip():
        raise _invalid(0, "", "source_contents is empty: give the workflow's YAML or JSON.")
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        value = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise _invalid(
            line, "", f"the source is not valid YAML or JSON ({getattr(exc, 'problem', exc)})."
        ) from exc
    definition = Definition()
    _BLOCKS.set(definition.blocks)
    if isinstance(value, list):
        definition.routines["main"] = Routine("main", [], _steps(node, value, "main"), _line(node))
    elif isinstance(value, dict):
        for key_node, routine_node in node.value:
            name = key_node.value
            body = value[name]
            if not isinstance(body, dict):
                raise _invalid(_line(key_node), name, f"subworkflow {name!r} must be a map with 'steps'.")
            unknown = set(body) - ROUTINE_KEYS
            if unknown:
                raise _invalid(
                    _line(key_node),
                    name,
                    f"unknown key {sorted(unknown)[0]!r} in subworkflow {name!r} "
                    "(it may have 'params' and 'steps').",
                )
            params = body.get("params") or []
            if not isinstance(params, list):
                raise _invalid(_line(key_node), name, "'params' must be a list of names.")
            steps_node = _child(routine_node, "steps")
            if steps_node is None:
                raise _invalid(_line(key_node), name, f"subworkflow {name!r} has no 'steps'.")
            definition.routines[name] = Routine(
                name, params, _steps(steps_node, body["steps"], name), _line(key_node)
            )
        if "main" not in definition.routines:
            raise _invalid(1, "", "the workflow has subworkflows but no 'main' routine.")
    else:
        raise _invalid(1, "", "the source must be a list of steps or a map of routines with a 'main'.")
    for routine in definition.routines.values():
        _check_jumps(routine.steps, routine.name)
    return definition


def _steps(node: Any, value: Any, routine: str) -> list[Step]:
    if not isinstance(value, list):
        raise _invalid(_line(node), routine, "'steps' must be a list of one-key maps ({name: {...}}).")
    steps = []
    for item_node, item in zip(node.value, value, strict=True):
        if not isinstance(item, dict) or len(item) != 1:
            raise _invalid(
                _line(item_node), routine, "each step must be a map with exactly one key: its name."
            )
        name = str(next(iter(item)))
        body = item[name]
        body_node = item_node.value[0][1]
        if not isinstance(body, dict):
            raise _invalid(_line(item_node), name, f"step {name!r} must be a map of step keys.")
        _check_body(body_node, body, name, STEP_KEYS)
        steps.append(Step(name, body, _line(item_node)))
    _BLOCKS.get({})[id(value)] = steps
    return steps


def _check_body(node: Any, body: dict[str, Any], name: str, allowed: frozenset[str]) -> None:
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in allowed:
            raise _invalid(
                _line(key_node),
                name,
                f"unknown key {key!r} in step {name!r}; a step may have {', '.join(sorted(allowed))}.",
            )
        if key == "steps":
            _steps(value_node, body["steps"], name)
        elif key == "switch":
            if not isinstance(body["switch"], list):
                raise _invalid(_line(key_node), name, "'switch' must be a list of conditions.")
            for case_node, case in zip(value_node.value, body["switch"], strict=True):
                if not isinstance(case, dict) or "condition" not in case:
                    raise _invalid(_line(case_node), name, "each 'switch' entry needs a 'condition'.")
                _check_body(case_node, case, name, SWITCH_KEYS)
        elif key == "for":
            loop = body["for"]
            if not isinstance(loop, dict) or "value" not in loop or "steps" not in loop:
                raise _invalid(_line(key_node), name, "'for' needs 'value', 'steps' and 'in' or 'range'.")
            if ("in" in loop) == ("range" in loop):
                raise _invalid(_line(key_node), name, "'for' needs exactly one of 'in' and 'range'.")
            _check_body(value_node, loop, name, FOR_KEYS)
        elif key in ("try", "except") and isinstance(body[key], dict):
            inner = body[key]
            if "steps" in inner:
                steps_node = _child(value_node, "steps")
                _steps(steps_node, inner["steps"], name)
            elif key == "try":
                _check_body(value_node, inner, name, STEP_KEYS)


def _check_jumps(steps: list[Step], routine: str) -> None:
    """Every ``next`` names a step of the routine (at any depth), ``end``, ``break`` or ``continue``."""
    bodies = list(_walk([(s.name, s.body, s.line) for s in steps]))
    names = {name for name, _, _ in bodies} | CONTROL_TARGETS
    for name, body, line in bodies:
        targets = [body.get("next")] + [
            c.get("next") for c in body.get("switch") or [] if isinstance(c, dict)
        ]
        for target in targets:
            if target is not None and str(target) not in names:
                raise _invalid(line, name, f"next: {target!r} is not a step of routine {routine!r}.")


def _walk(steps: list[tuple[str, dict[str, Any], int]]) -> Any:
    for name, body, line in steps:
        yield name, body, line
        blocks = [body.get("steps")]
        blocks += [(body.get("for") or {}).get("steps")] if isinstance(body.get("for"), dict) else []
        blocks += [c.get("steps") for c in body.get("switch") or [] if isinstance(c, dict)]
        blocks += [
            (body.get(k) or {}).get("steps") for k in ("try", "except") if isinstance(body.get(k), dict)
        ]
        for block in blocks:
            if isinstance(block, list):
                inner = [
                    (str(next(iter(i))), i[next(iter(i))], line) for i in block if isinstance(i, dict) and i
                ]
                yield from _walk([(n, b, ln) for n, b, ln in inner if isinstance(b, dict)])


def _child(node: Any, key: str) -> Any:
    for key_node, value_node in getattr(node, "value", []):
        if getattr(key_node, "value", None) == key:
            return value_node
    return None


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _invalid(line: int, step: str, message: str) -> GoogleError:
    where = f"line {line}" + (f", step {step!r}" if step else "")
    return GoogleError("INVALID_ARGUMENT", f"Workflow failed to deploy: parse error at {where}: {message}")


def dumps(value: Any) -> str:
    """JSON as Workflows writes an execution's ``result``."""
    return json.dumps(value, separators=(",", ":"))
