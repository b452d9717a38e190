"""A table of (compiled path template, handler) pairs: the dispatch shared by the REST protocols."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming

#: handler(request, **bound path fields) -> the response body or a Response
Handler = Callable[..., Any]


class Rule(Protocol):
    def match(self, method: str, path: str) -> dict[str, str] | None: ...


class RouteTable:
    """``claims`` a request when a rule matches its method and raw path; subclasses compile and answer."""

    def __init__(self, rules: Mapping[tuple[str, str], Handler] | None = None) -> None:
        self._rules: list[tuple[Rule, Handler]] = []
        for (method, template), handler in (rules or {}).items():
            self.add(method, template, handler)

    def compile(self, method: str, template: str) -> Rule:
        raise NotImplementedError

    def add(self, method: str, template: str, handler: Handler) -> None:
        self._rules.append((self.compile(method, template), handler))

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for rule, handler in self._rules:
            bound = rule.match(method, path)
            if bound is not None:
                return handler, bound
        return None

    def claims(self, incoming: Incoming) -> bool:
        return self.find(incoming.request.method, incoming.path) is not None

    def matched(self, incoming: Incoming) -> tuple[Handler, dict[str, str]]:
        found = self.find(incoming.request.method, incoming.path)
        if found is None:
            raise LookupError(f"no route for {incoming.request.method} {incoming.path}; check claims() first")
        return found


def is_response(answer: Any) -> bool:
    """True for a ready werkzeug Response (a handler may return one instead of a body)."""
    return hasattr(answer, "status_code") and hasattr(answer, "headers")
