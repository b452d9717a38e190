"""Route Google REST requests by their ``google.api.http`` templates, as the client libraries build them.

A template such as ``/v1/{parent=projects/*/locations/*}/datasets`` or ``/v1/{name=projects/*/locations/*/
operations/*}:cancel`` binds each ``{field=pattern}`` (``*`` is one path segment, ``**`` any number; a bare
``{field}`` is ``*``) and a trailing ``:verb``. :class:`GoogleRoutes` is an ``EmulatorApp`` service: it
claims the requests its templates match and answers each with its handler's JSON, or the handler's
``GoogleError`` / ``CloudError`` as Google's error body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.google.errors import (
    GoogleError,
    error_from_cloud_error,
    error_response,
    json_response,
)

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

#: handler(request, **bound fields) -> the response message as JSON (a dict), or a full Response
Handler = Callable[..., Any]
_VARIABLE = re.compile(r"\{(?P<field>[\w.]+)(?:=(?P<pattern>[^}]+))?\}")


@dataclass(frozen=True)
class HttpRule:
    """One compiled template: the method, a regex over the raw path, and the fields it binds."""

    method: str
    template: str
    pattern: re.Pattern[str]
    fields: tuple[str, ...]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        found = self.pattern.match(path)
        if found is None:
            return None
        return {field: unquote(found.group(f"f{index}")) for index, field in enumerate(self.fields)}


def compile_rule(method: str, template: str) -> HttpRule:
    """``compile_rule("GET", "/v1/{name=projects/*/locations/*/datasets/*}")``."""
    regex, position = "", 0
    fields: list[str] = []
    for variable in _VARIABLE.finditer(template):
        regex += _literal(template[position : variable.start()])
        group = f"f{len(fields)}"
        fields.append(variable.group("field"))
        regex += f"(?P<{group}>{_segments(variable.group('pattern') or '*')})"
        position = variable.end()
    regex += _literal(template[position:])
    return HttpRule(method.upper(), template, re.compile(f"^{regex}/?$"), tuple(fields))


def _literal(text: str) -> str:
    return "/".join(_segments(part) if part in ("*", "**") else re.escape(part) for part in text.split("/"))


def _segments(pattern: str) -> str:
    parts = []
    for part in pattern.split("/"):
        if part == "**":
            parts.append(r"[^:]+?")
        elif part == "*":
            parts.append(r"[^/:]+")
        else:
            parts.append(re.escape(part))
    return "/".join(parts)


class GoogleRoutes:
    """A Google API's REST methods: ``routes.add("GET", template, handler)``, then mount it in an app."""

    def __init__(self, rules: Mapping[tuple[str, str], Handler] | None = None) -> None:
        self._rules: list[tuple[HttpRule, Handler]] = []
        for (method, template), handler in (rules or {}).items():
            self.add(method, template, handler)

    def add(self, method: str, template: str, handler: Handler) -> None:
        self._rules.append((compile_rule(method, template), handler))

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for rule, handler in self._rules:
            bound = rule.match(method, path)
            if bound is not None:
                return handler, bound
        return None

    def claims(self, incoming: Incoming) -> bool:
        return self.find(incoming.request.method, incoming.path) is not None

    def handle(self, incoming: Incoming) -> Response:
        found = self.find(incoming.request.method, incoming.path)
        if found is None:  # pragma: no cover - claims() said yes
            raise GoogleError("UNIMPLEMENTED", f"{incoming.request.method} {incoming.path}")
        handler, bound = found
        try:
            answer = handler(incoming.request, **bound)
        except GoogleError as err:
            return error_response(err)
        except CloudError as exc:
            return error_response(error_from_cloud_error(exc))
        return answer if _is_response(answer) else json_response({} if answer is None else answer)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or ``INVALID_ARGUMENT`` as Google answers a malformed body."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    return body


def _is_response(answer: Any) -> bool:
    return hasattr(answer, "status_code") and hasattr(answer, "headers")
