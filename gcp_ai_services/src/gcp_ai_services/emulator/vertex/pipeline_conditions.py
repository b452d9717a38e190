"""``dsl.If`` conditions: the CEL expressions KFP compiles into ``triggerPolicy.condition``, evaluated safely.

KFP writes comparisons of ``inputs.parameter_values['name']`` with literals or other parameters, joined by
``&&``/``||``/``!``, with ``int()``/``double()``/``string()`` casts; that subset is translated to a Python
expression whose syntax tree is walked by a small interpreter (nothing is ``eval``-ed).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

_PARAMETER = re.compile(r"inputs\.parameter_values\[\s*'([^']*)'\s*\]")
_CASTS = {"int": int, "double": float, "string": str, "bool": bool}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def condition_holds(condition: str, parameters: Mapping[str, Any]) -> bool:
    """Whether ``condition`` is true for the task's resolved input ``parameters``."""
    text = _PARAMETER.sub(lambda m: f"_p[{m.group(1)!r}]", condition)
    text = text.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"!(?!=)", " not ", text)
    text = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return bool(_value(tree.body, parameters))
    except (SyntaxError, KeyError, TypeError, ValueError) as exc:
        raise GoogleError("INVALID_ARGUMENT", f"Unsupported trigger condition {condition!r}: {exc}.") from exc


def _value(node: ast.AST, parameters: Mapping[str, Any]) -> Any:
    """The value of one node of the translated expression; anything outside the CEL subset is a TypeError."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "_p":
        return parameters[str(_value(node.slice, parameters))]
    if isinstance(node, ast.BoolOp):
        values = (_value(v, parameters) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        operand = _value(node.operand, parameters)
        return not operand if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.Compare):
        left = _value(node.left, parameters)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, parameters)
            if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _CASTS
        and len(node.args) == 1
    ):
        return _CASTS[node.func.id](_value(node.args[0], parameters))
    raise TypeError(f"{type(node).__name__} is outside the CEL subset KFP writes")
