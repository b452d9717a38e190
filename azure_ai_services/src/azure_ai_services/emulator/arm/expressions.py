"""ARM template expressions (``[concat(parameters('a'), '-', resourceGroup().location)]``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)|(?P<name>[A-Za-z_][\w.]*)|(?P<punct>[(),.\[\]]))"
)


MAX_EXPRESSION = 24_576  # ARM's limit on one expression's length
MAX_DEPTH = 64


class TemplateError(Exception):
    """A template that ARM refuses (``InvalidTemplate``): the message names the problem."""


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Access:
    target: Any
    key: Any  # a literal property name or an expression for [index]


@dataclass(frozen=True)
class Literal:
    value: Any


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
        and not value.startswith("[[")
    )


def literal_text(value: str) -> str:
    """``[[text]`` is the escaped literal ``[text]``."""
    return value[1:] if value.startswith("[[") else value


class Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_EXPRESSION:
            raise TemplateError(
                f"The language expression is {len(text)} characters; the limit is {MAX_EXPRESSION}."
            )
        self.text = text
        self.depth = 0
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if not text[position:].strip():
                break
            found = TOKEN.match(text, position)
            if found is None:
                raise TemplateError(
                    f"The language expression '{text}' is not valid near position {position}."
                )
            kind = found.lastgroup or ""
            self.tokens.append((kind, found.group(kind)))
            position = found.end()
        self.index = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self, expected: str = "") -> tuple[str, str]:
        token = self.peek()
        if expected and token[1] != expected:
            raise TemplateError(
                f"The language expression '{self.text}' is not valid: expected '{expected}', found "
                f"'{token[1] or 'end of expression'}'."
            )
        self.index += 1
        return token

    def parse(self) -> Any:
        node = self.expression()
        if self.peek()[0] != "end":
            raise TemplateError(
                f"The language expression '{self.text}' is not valid: unexpected '{self.peek()[1]}'."
            )
        return node

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TemplateError(
                f"The language expression nests more than {MAX_DEPTH} levels: '{self.text[:80]}...'."
            )
        try:
            return self._expression()
        finally:
            self.depth -= 1

    def _expression(self) -> Any:
        kind, value = self.take()
        node: Any
        if kind == "string":
            node = Literal(value[1:-1].replace("''", "'"))
        elif kind == "number":
            node = Literal(int(value))
        elif kind == "name" and self.peek()[1] == "(":
            self.take("(")
            args: list[Any] = []
            while self.peek()[1] != ")":
                args.append(self.expression())
                if self.peek()[1] != ")":
                    self.take(",")
            self.take(")")
            node = Call(value, tuple(args))
        else:
            raise TemplateError(
                f"The language expression '{self.text}' is not valid: '{value or 'end'}' is not a function "
                "call, a string in single quotes or an integer."
            )
        while self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                if kind != "name":
                    raise TemplateError(f"The language expression '{self.text}' is not valid after '.'.")
                node = Access(node, Literal(name))
            else:
                node = Access(node, self.expression())
                self.take("]")
        return node


def parse(text: str) -> Any:
    """The syntax tree of the expression inside ``[...]``."""
    return Parser(text[1:-1]).parse()


Functions = dict[str, Callable[..., Any]]


def evaluate(node: Any, functions: Functions) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Access):
        target, key = evaluate(node.target, functions), evaluate(node.key, functions)
        return access(target, key)
    function = functions.get(node.name.lower())
    if function is None:
        raise TemplateError(
            f"The template function '{node.name}' is not valid. Please see https://aka.ms/arm-functions for "
            "usage details."
        )
    if node.name.lower() == "if":  # lazy: only the branch taken is evaluated
        condition = evaluate(node.args[0], functions) if node.args else None
        if len(node.args) != 3:
            raise TemplateError("The template function 'if' expects exactly three parameters.")
        return evaluate(node.args[1] if condition else node.args[2], functions)
    args = [evaluate(arg, functions) for arg in node.args]
    try:
        return function(*args)
    except TemplateError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError) as exc:
        raise TemplateError(f"Unable to evaluate template language function '{node.name}': {exc}.") from None


def access(target: Any, key: Any) -> Any:
    if isinstance(target, dict):
        for name, value in target.items():
            if str(name).lower() == str(key).lower():
                return value
        raise TemplateError(
            f"The language expression property '{key}' doesn't exist, available properties are "
            f"'{', '.join(map(str, target))}'."
        )
    if isinstance(target, (list, str)) and isinstance(key, int):
        if not 0 <= key < len(target):
            raise TemplateError(
                f"The language expression index '{key}' is out of bounds (length {len(target)})."
            )
        return target[key]
    raise TemplateError(
        f"The language expression property '{key}' cannot be evaluated on a {type(target).__name__}."
    )


def resolve(value: Any, functions: Functions) -> Any:
    """``value`` with every expression string inside it (dict keys and values, list items) evaluated."""
    if isinstance(value, str):
        return evaluate(parse(value), functions) if is_expression(value) else literal_text(value)
    if isinstance(value, list):
        return [resolve(item, functions) for item in value]
    if isinstance(value, dict):
        return {resolve(k, functions): resolve(v, functions) for k, v in value.items()}
    return value
