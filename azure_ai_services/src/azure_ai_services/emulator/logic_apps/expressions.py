"""Workflow definition language expressions: ``@triggerBody()?['name']``, ``@{body('Compose')}``, functions.

A JSON string starting with ``@`` is one expression (its value keeps its type); ``@{...}`` inside a string
is interpolated as text; ``@@`` escapes a literal ``@``. Supported: string/number/boolean/null literals,
property access (``['k']``, ``?['k']``, ``.k``) and the functions in :data:`FUNCTIONS` plus the workflow
functions of :class:`Scope`. An unknown function is an :class:`ExpressionError` naming it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>\?\[|[()\[\],.]))"
)


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated (the action fails with ``InvalidTemplate``)."""


class Scope(Protocol):
    """What workflow functions read: the trigger, actions' results, loop items, variables, parameters."""

    def call(self, name: str, args: list[Any]) -> Any: ...


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(f"expected a number, got {value!r}")
    return value


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ExpressionError(f"int() cannot convert {value!r}") from None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ExpressionError(f"float() cannot convert {value!r}") from None


def _div(a: Any, b: Any) -> Any:
    if _number(b) == 0:
        raise ExpressionError("div: attempted to divide by zero")
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return _number(a) / b


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "concat": lambda *a: "".join(_text(x) for x in a),
    "add": lambda a, b: _number(a) + _number(b),
    "sub": lambda a, b: _number(a) - _number(b),
    "mul": lambda a, b: _number(a) * _number(b),
    "div": _div,
    "mod": lambda a, b: _number(a) % _number(b),
    "equals": lambda a, b: a == b,
    "greater": lambda a, b: a > b,
    "greaterOrEquals": lambda a, b: a >= b,
    "less": lambda a, b: a < b,
    "lessOrEquals": lambda a, b: a <= b,
    "and": lambda *a: all(bool(x) for x in a),
    "or": lambda *a: any(bool(x) for x in a),
    "not": lambda a: not a,
    "if": lambda c, a, b: a if c else b,
    "length": lambda a: len(a),
    "empty": lambda a: not a,
    "contains": lambda a, b: b in a,
    "first": lambda a: a[0] if a else None,
    "last": lambda a: a[-1] if a else None,
    "coalesce": lambda *a: next((x for x in a if x is not None), None),
    "string": _text,
    "int": _int,
    "float": _float,
    "bool": lambda a: a if isinstance(a, bool) else str(a).lower() == "true",
    "json": lambda a: json.loads(a) if isinstance(a, str) else a,
    "toUpper": lambda a: _text(a).upper(),
    "toLower": lambda a: _text(a).lower(),
    "trim": lambda a: _text(a).strip(),
    "split": lambda a, b: _text(a).split(b),
    "join": lambda a, b: b.join(_text(x) for x in a),
    "replace": lambda a, b, c: _text(a).replace(b, c),
    "substring": lambda a, s, n=None: _text(a)[s:] if n is None else _text(a)[s : s + n],
    "indexOf": lambda a, b: _text(a).lower().find(_text(b).lower()),
    "startsWith": lambda a, b: _text(a).lower().startswith(_text(b).lower()),
    "endsWith": lambda a, b: _text(a).lower().endswith(_text(b).lower()),
    "createArray": lambda *a: list(a),
    "union": lambda a, b: {**a, **b} if isinstance(a, dict) else list(dict.fromkeys([*a, *b])),
    "utcNow": lambda fmt=None: datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
    "guid": lambda: str(uuid.uuid4()),
    "max": lambda *a: max(a[0] if len(a) == 1 else a),
    "min": lambda *a: min(a[0] if len(a) == 1 else a),
    "range": lambda s, n: list(range(s, s + n)),
}


class _Parser:
    def __init__(self, text: str, scope: Scope) -> None:
        self.tokens = self._tokenize(text)
        self.position = 0
        self.scope = scope
        self.text = text

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None:
                raise ExpressionError(
                    f"The template language expression '{text}' is not valid: unexpected "
                    f"{text[position:].strip()[:10]!r}"
                )
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(
                f"The template language expression '{self.text}' is not valid: expected {value or 'more'}"
            )
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.value()
        extra = self.peek()
        if extra is not None:
            raise ExpressionError(
                f"The template language expression '{self.text}' is not valid: unexpected {extra[1]!r}"
            )
        return value

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            result: Any = text[1:-1].replace("''", "'")
        elif kind == "number":
            result = float(text) if "." in text else int(text)
        elif kind == "name" and text in ("true", "false", "null"):
            result = {"true": True, "false": False, "null": None}[text]
        elif kind == "name":
            self.take("(")
            args = []
            if self.peek() != ("punct", ")"):
                args.append(self.value())
                while self.peek() == ("punct", ","):
                    self.take(",")
                    args.append(self.value())
            self.take(")")
            result = self.call(text, args)
        else:
            raise ExpressionError(
                f"The template language expression '{self.text}' is not valid near {text!r}"
            )
        return self.accessors(result)

    def accessors(self, result: Any) -> Any:
        while (token := self.peek()) is not None and token[1] in ("[", "?[", "."):
            optional = token[1] == "?["
            self.take()
            if token[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.value()
                self.take("]")
            result = _member(result, key, optional, self.text)
        return result

    def call(self, name: str, args: list[Any]) -> Any:
        function = FUNCTIONS.get(name)
        if function is None:
            return self.scope.call(name, args)
        try:
            return function(*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise ExpressionError(f"The template function '{name}' failed: {exc}") from None


def _member(value: Any, key: Any, optional: bool, text: str) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, Mapping) and key in value:
        return value[key]
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    if optional:
        return None
    raise ExpressionError(
        f"The template language expression '{text}' cannot be evaluated because "
        f"property '{key}' doesn't exist; "
        "use the ?[] operator for optional properties"
    )


def evaluate(text: str, scope: Scope) -> Any:
    """The value of one expression (without its leading ``@``)."""
    return _Parser(text, scope).parse()


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with every expression in it evaluated (dicts and lists recursively)."""
    if isinstance(value, dict):
        return {resolve(k, scope): resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope) for v in value]
    if not isinstance(value, str) or "@" not in value:
        return value
    if value.startswith("@@"):
        return value[1:]
    if value.startswith("@") and not value.startswith("@{"):
        return evaluate(value[1:], scope)
    return _interpolate(value, scope)


def _interpolate(text: str, scope: Scope) -> str:
    out, position = [], 0
    while (start := text.find("@{", position)) != -1:
        out.append(text[position:start])
        depth, index, quoted = 1, start + 2, False
        while index < len(text) and depth:
            char = text[index]
            if char == "'":
                quoted = not quoted
            elif not quoted and char == "{":
                depth += 1
            elif not quoted and char == "}":
                depth -= 1
            index += 1
        if depth:
            raise ExpressionError(f"The template language expression '{text}' has an unclosed '@{{'")
        out.append(_text(evaluate(text[start + 2 : index - 1], scope)))
        position = index
    out.append(text[position:])
    return "".join(out)
