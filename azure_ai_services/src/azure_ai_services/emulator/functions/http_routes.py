"""HTTP trigger routes as the Functions host matches them: ``products/{id:int}``, ``{name?}``, ``{*rest}``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_SEGMENT = re.compile(r"^\{(?P<star>\*)?(?P<name>\w+)(?::(?P<constraint>\w+))?(?P<optional>\?)?\}$")
_CONSTRAINTS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "bool": r"(?i:true|false)",
    "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}",
    "float": r"-?\d+(?:\.\d+)?",
    "double": r"-?\d+(?:\.\d+)?",
}


def route_regex(route: str) -> re.Pattern[str]:
    """The regex of one route template (literal segments case-insensitive, as ASP.NET routing matches)."""
    regex = ""
    for segment in route.strip("/").split("/"):
        match = _SEGMENT.match(segment)
        if match is None:
            regex += "/" + re.escape(segment)
            continue
        name = match.group("name")
        if match.group("star"):
            regex += f"(?:/(?P<{name}>.*))?"
            continue
        value = _CONSTRAINTS.get(match.group("constraint") or "", r"[^/]+")
        regex += f"(?:/(?P<{name}>{value}))?" if match.group("optional") else f"/(?P<{name}>{value})"
    return re.compile(f"^{regex}/?$", re.IGNORECASE)


def match_route(
    functions: Iterable[dict[str, Any]], path: str, method: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]] | None:
    """(function, its httpTrigger binding, route values) for ``path`` (below ``/api``) and ``method``."""
    for function in functions:
        trigger = next((b for b in function["bindings"] if b["type"] == "httpTrigger"), None)
        if trigger is None:
            continue
        methods = [m.upper() for m in trigger.get("methods") or []]
        if methods and method.upper() not in methods:
            continue
        found = route_regex(trigger.get("route") or function["name"]).match(path)
        if found is not None:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            return function, trigger, values
    return None
