"""Workflows expressions (``${...}``): a parser and evaluator for a real subset of Google's language.

Literals (numbers, strings, ``true``/``false``/``null``, lists, maps), variables, ``a.b`` and ``a["b"]`` /
``a[0]``, arithmetic ``+ - * / // %`` (``/`` is always a double; ``+`` also joins two strings), comparisons,
``and``/``or``/``not``, ``in``, and the functions of :data:`FUNCTIONS` (``len``, ``default``, ``keys``,
``int``, ``double``, ``string``, ``map.get``, ``text.*``, ``json.*``, ``math.*``, ``list.concat``,
``sys.now``, ``sys.get_env``). Runtime errors are Workflows' own error maps (``{"message", "tags"}``: a
``KeyError``, ``TypeError``, ``IndexError``, ``ValueError``...); a function the local cloud lacks is an
``UnsupportedError`` naming it.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.\d*(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?|\.\d+)"
    r"|(?P<string>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>//|==|!=|<=|>=|[-+*/%<>()\[\]{}.,:]))"
)
_KEYWORDS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class WorkflowError(Exception):
    """An error the workflow can catch (``try/except``) or that fails the execution: Workflows' error map."""

    def __init__(self, payload: Any) -> None:
        super().__init__(payload.get("message") if isinstance(payload, dict) else str(payload))
        self.payload = payload


def error(tag: str, message: str, **extra: Any) -> WorkflowError:
    return WorkflowError({"message": message, "tags": [tag], **extra})


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${") and value.endswith("}")


def resolve(value: Any, variables: dict[str, Any], environment: dict[str, str] | None = None) -> Any:
    """``value`` with every ``${...}`` string (also inside lists and maps) replaced by its value."""
    if is_expression(value):
        return evaluate(value[2:-1], variables, environment)
    if isinstance(value, list):
        return [resolve(item, variables, environment) for item in value]
    if isinstance(value, dict):
        return {
            str(resolve(k, variables, environment)): resolve(v, variables, environment)
            for k, v in value.items()
        }
    return value


def evaluate(text: str, variables: dict[str, Any], environment: dict[str, str] | None = None) -> Any:
    """The value of one expression (the text inside ``${...}``); ``sys.get_env`` reads ``environment``."""
    parser = _Parser(_tokens(text), text)
    tree = parser.expression()
    if parser.position < len(parser.tokens):
        raise error("SyntaxError", f"unexpected {parser.tokens[parser.position][1]!r} in expression {text!r}")
    return _Evaluator(variables, environment or {}).value(tree)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise error("SyntaxError", f"cannot read {text[position:]!r} in expression {text!r}")
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Precedence climbing into tuples: ``("lit", v)``, ``("var", n)``, ``("bin", op, a, b)``..."""

    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens, self.text, self.position = tokens, text, 0

    def peek(self) -> str:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else ""

    def take(self, expected: str = "") -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise error("SyntaxError", f"expression {self.text!r} ends too early")
        token = self.tokens[self.position]
        if expected and token[1] != expected:
            raise error(
                "SyntaxError", f"expected {expected!r}, found {token[1]!r} in expression {self.text!r}"
            )
        self.position += 1
        return token

    def expression(self) -> Any:
        return self.binary(0)

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("==", "!=", "<", "<=", ">", ">=", "in"),
        ("+", "-"),
        ("*", "/", "//", "%"),
    )

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        if level == 2 and self.peek() == "not":  # "not" binds below comparisons
            self.take()
            return ("not", self.binary(level))
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            op = self.take()[1]
            left = ("bin", op, left, self.binary(level + 1))
        return left

    def unary(self) -> Any:
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary())
        if self.peek() == "not":
            self.take()
            return ("not", self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while self.peek() in (".", "[", "("):
            op = self.take()[1]
            if op == ".":
                kind, name = self.take()
                if kind != "name":
                    raise error("SyntaxError", f"expected a name after '.', found {name!r}")
                node = ("attr", node, name)
            elif op == "[":
                node = ("index", node, self.expression())
                self.take("]")
            else:
                arguments = []
                while self.peek() != ")":
                    arguments.append(self.expression())
                    if self.peek() != ")":
                        self.take(",")
                self.take(")")
                node = ("call", _dotted(node, self.text), arguments)
        return node

    def primary(self) -> Any:
        kind, token = self.take()
        if kind == "number":
            return ("lit", float(token) if any(c in token for c in ".eE") else int(token))
        if kind == "string":
            if token.startswith('"'):  # noqa: S105 - a token, not a password
                return ("lit", json.loads(token))
            inner = token[1:-1].replace("\\'", "'").replace('"', '\\"')
            return ("lit", json.loads(f'"{inner}"'))
        if kind == "name":
            if token in _KEYWORDS:
                return ("lit", _KEYWORDS[token])
            if token in ("null", "None", "NULL"):
                return ("lit", None)
            return ("var", token)
        if token == "(":  # noqa: S105 - a token, not a password
            inner = self.expression()
            self.take(")")
            return inner
        if token == "[":  # noqa: S105 - a token, not a password
            items = []
            while self.peek() != "]":
                items.append(self.expression())
                if self.peek() != "]":
                    self.take(",")
            self.take("]")
            return ("list", items)
        if token == "{":  # noqa: S105 - a token, not a password
            pairs = []
            while self.peek() != "}":
                key = self.expression()
                self.take(":")
                pairs.append((key, self.expression()))
                if self.peek() != "}":
                    self.take(",")
            self.take("}")
            return ("map", pairs)
        raise error("SyntaxError", f"unexpected {token!r} in expression {self.text!r}")


def _dotted(node: Any, text: str) -> str:
    if node[0] == "var":
        return str(node[1])
    if node[0] == "attr":
        return f"{_dotted(node[1], text)}.{node[2]}"
    raise error("SyntaxError", f"only named functions can be called, in expression {text!r}")


class _Evaluator:
    def __init__(self, variables: dict[str, Any], environment: dict[str, str]) -> None:
        self.variables = variables
        self.environment = environment

    def value(self, node: Any) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "var":
            if node[1] not in self.variables:
                raise error("KeyError", f"KeyError: key not found: {node[1]}")
            return self.variables[node[1]]
        if kind == "list":
            return [self.value(item) for item in node[1]]
        if kind == "map":
            return {str(self.value(k)): self.value(v) for k, v in node[1]}
        if kind == "attr":
            return _member(self.value(node[1]), node[2])
        if kind == "index":
            return _member(self.value(node[1]), self.value(node[2]))
        if kind == "neg":
            operand = self.value(node[1])
            if not _is_number(operand):
                raise error("TypeError", f"TypeError: unary '-' needs a number, got {_type(operand)}")
            return -operand
        if kind == "not":
            return not _truth(self.value(node[1]))
        if kind == "call":
            if node[1] == "sys.get_env":
                return self.environment.get(str(self.value(node[2][0]))) if node[2] else None
            function = FUNCTIONS.get(node[1])
            if function is None:
                raise error(
                    "UnsupportedError",
                    f"the local cloud does not implement the function {node[1]}() (see the fidelity table)",
                )
            return function(*[self.value(argument) for argument in node[2]])
        op, left_node, right_node = node[1], node[2], node[3]
        left = self.value(left_node)
        if op in ("and", "or"):
            if op == "and":
                return _truth(left) and _truth(self.value(right_node))
            return _truth(left) or _truth(self.value(right_node))
        return _binary(op, left, self.value(right_node))


def _member(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        if str(key) not in container:
            raise error("KeyError", f"KeyError: key not found: {key}")
        return container[str(key)]
    if isinstance(container, list):
        if not isinstance(key, int) or isinstance(key, bool):
            raise error("TypeError", f"TypeError: list index must be an integer, got {_type(key)}")
        if not -len(container) <= key < len(container):
            raise error("IndexError", f"IndexError: list index {key} out of range (length {len(container)})")
        return container[key]
    raise error("TypeError", f"TypeError: cannot take {key!r} of a {_type(container)}")


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "==":
        return _same_type(left, right) and left == right
    if op == "!=":
        return not (_same_type(left, right) and left == right)
    if op == "in":
        if isinstance(right, dict | list):
            return left in right
        raise error("TypeError", f"TypeError: 'in' needs a list or a map on the right, got {_type(right)}")
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if op in ("<", "<=", ">", ">="):
        if not (
            (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str))
        ):
            raise error("TypeError", f"TypeError: cannot compare {_type(left)} {op} {_type(right)}")
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    if not (_is_number(left) and _is_number(right)):
        raise error(
            "TypeError",
            f"TypeError: unsupported operand types for {op}: {_type(left)} and {_type(right)}"
            + (" (use string() to join a number to a string)" if op == "+" else ""),
        )
    if op in ("/", "//", "%") and right == 0:
        raise error("ZeroDivisionError", "ZeroDivisionError: division by zero")
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return float(left) / float(right)
    if op == "//":
        return left // right
    return math.fmod(left, right) if isinstance(left, float) or isinstance(right, float) else left % right


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_type(left: Any, right: Any) -> bool:
    return (_is_number(left) and _is_number(right)) or type(left) is type(right)


def _truth(value: Any) -> bool:
    if not isinstance(value, bool):
        raise error("TypeError", f"TypeError: expected a boolean, got {_type(value)}")
    return value


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "double", str: "string", list: "list", dict: "map"}.get(
        type(value), type(value).__name__
    )


def _len(value: Any) -> int:
    if not isinstance(value, str | list | dict):
        raise error("TypeError", f"TypeError: len() needs a string, list or map, got {_type(value)}")
    return len(value)


def _int(value: Any) -> int:
    try:
        return int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError) as exc:
        raise error("ValueError", f"ValueError: cannot convert {value!r} to an integer") from exc


def _double(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise error("ValueError", f"ValueError: cannot convert {value!r} to a double") from exc


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise error("TypeError", f"TypeError: string() takes a number, boolean or string, got {_type(value)}")


def _map_get(container: Any, key: Any) -> Any:
    if container is None:
        return None
    if not isinstance(container, dict):
        raise error("TypeError", f"TypeError: map.get needs a map, got {_type(container)}")
    if isinstance(key, list):  # a path of keys
        for part in key:
            if not isinstance(container, dict) or str(part) not in container:
                return None
            container = container[str(part)]
        return container
    return container.get(str(key))


def _keys(value: Any) -> list[str]:
    if not isinstance(value, dict):
        raise error("TypeError", f"TypeError: keys() needs a map, got {_type(value)}")
    return list(value)


def _split(text: Any, separator: Any) -> list[str]:
    return str(text).split(str(separator))


def _json_decode(data: Any) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise error("ValueError", f"ValueError: json.decode: {exc}") from exc


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": _len,
    "default": lambda value, fallback: fallback if value is None else value,
    "keys": _keys,
    "int": _int,
    "double": _double,
    "string": _string,
    "map.get": _map_get,
    "list.concat": lambda items, item: [*items, item],
    "text.to_upper": lambda text: str(text).upper(),
    "text.to_lower": lambda text: str(text).lower(),
    "text.split": _split,
    "text.replace_all": lambda text, old, new: str(text).replace(str(old), str(new)),
    "text.substring": lambda text, start, end: str(text)[int(start) : int(end)],
    "json.encode_to_string": lambda value: json.dumps(value, separators=(",", ":")),
    "json.decode": _json_decode,
    "math.abs": abs,
    "math.max": max,
    "math.min": min,
    "math.floor": lambda value: int(math.floor(value)),
    "sys.now": time.time,
}
