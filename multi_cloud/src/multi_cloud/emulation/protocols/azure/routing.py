"""Route Azure REST requests by path template, as ARM and the data-plane services do.

Templates are the REST specs' paths (``/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/
providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}``): ``{name}`` binds one segment, the
literal segments match case-insensitively (as ARM matches them). Every request must carry ``api-version``
(ARM's ``MissingApiVersionParameter`` otherwise), one of ``api_versions`` when given. :class:`AzureRoutes`
is an ``EmulatorApp`` service answering with its handlers' JSON, or their ``AzureError`` / ``CloudError``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.protocols.azure.errors import (
    ARM_CODES,
    AzureError,
    ErrorCodes,
    error_from_cloud_error,
    error_response,
    json_response,
)
from multi_cloud.emulation.protocols.route_table import Handler, RouteTable, is_response

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

    from multi_cloud.emulation.http.wsgi_app import Incoming

_PARAMETER = re.compile(r"\{(?P<name>\w+)\}")


@dataclass(frozen=True)
class PathRule:
    method: str
    template: str
    pattern: re.Pattern[str]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        found = self.pattern.match(path)
        return None if found is None else {name: unquote(value) for name, value in found.groupdict().items()}


def compile_path(method: str, template: str) -> PathRule:
    """``compile_path("PUT", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}")``."""
    regex, position = "", 0
    for parameter in _PARAMETER.finditer(template):
        regex += re.escape(template[position : parameter.start()])
        regex += f"(?P<{parameter.group('name')}>[^/]+)"
        position = parameter.end()
    regex += re.escape(template[position:])
    return PathRule(method.upper(), template, re.compile(f"^{regex}/?$", re.IGNORECASE))


class AzureRoutes(RouteTable):
    """One API's operations: ``routes.add("GET", template, handler)``, then mount it in an app."""

    def __init__(
        self,
        rules: Mapping[tuple[str, str], Handler] | None = None,
        *,
        api_versions: Collection[str] = (),
        codes: ErrorCodes = ARM_CODES,
    ) -> None:
        self.api_versions = tuple(api_versions)
        self.codes = codes
        super().__init__(rules)

    def compile(self, method: str, template: str) -> PathRule:
        return compile_path(method, template)

    def handle(self, incoming: Incoming) -> Response:
        handler, bound = self.matched(incoming)
        try:
            self.check_api_version(incoming.request)
            answer = handler(incoming.request, **bound)
        except AzureError as err:
            return error_response(err)
        except CloudError as exc:
            return error_response(error_from_cloud_error(exc, self.codes))
        return answer if is_response(answer) else json_response(answer, 200 if answer is not None else 204)

    def check_api_version(self, request: Request) -> None:
        version = request.args.get("api-version", "")
        if not version:
            raise AzureError(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if self.api_versions and version not in self.api_versions:
            raise AzureError(
                400,
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is invalid. The supported versions are "
                f"'{','.join(self.api_versions)}'.",
            )


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or 400 ``InvalidRequestContent`` as ARM answers a malformed body."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise AzureError(
            400, "InvalidRequestContent", "The request content was invalid and could not be deserialized."
        )
    return body
