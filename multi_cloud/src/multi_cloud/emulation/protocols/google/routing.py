"""Route Google REST requests by their ``google.api.http`` templates, as the client libraries build them.

A template such as ``/v1/{parent=projects/*/locations/*}/datasets`` or ``/v1/{name=projects/*/locations/*/
operations/*}:cancel`` binds each ``{field=pattern}`` (``*`` is one path segment, ``**`` any number; a bare
``{field}`` is ``*``) and a trailing ``:verb``. :class:`GoogleRoutes` is an ``EmulatorApp`` service: it
claims the requests its templates match and answers each with its handler's JSON, or the handler's
``GoogleError`` / ``CloudError`` as Google's error body.
"""

from __future__ import annotations

import re
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
from multi_cloud.emulation.protocols.route_table import RouteTable, is_response

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

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


class GoogleRoutes(RouteTable):
    """A Google API's REST methods: ``routes.add("GET", template, handler)``, then mount it in an app."""

    def compile(self, method: str, template: str) -> HttpRule:
        return compile_rule(method, template)

    def handle(self, incoming: Incoming) -> Response:
        handler, bound = self.matched(incoming)
        try:
            answer = handler(incoming.request, **bound)
        except GoogleError as err:
            return error_response(err)
        except CloudError as exc:
            return error_response(error_from_cloud_error(exc))
        return answer if is_response(answer) else json_response({} if answer is None else answer)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or ``INVALID_ARGUMENT`` as Google answers a malformed body."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise GoogleError("INVALID_ARGUMENT", "Invalid JSON payload received. Expected an object.")
    return body
