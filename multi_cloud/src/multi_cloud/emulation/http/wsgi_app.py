"""A WSGI app for emulators: mount services under path prefixes, dispatch, and never drop a request.

Every request gets an HTTP answer: the first service that claims it answers; a request no service claims
gets ``unmatched(request)``; an exception escaping a service gets ``crashed(request, exc)``. Each provider
supplies those two in its own error format (an SDK retries a dropped connection for minutes, but parses an
error body at once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

log = logging.getLogger("multi_cloud.emulation")


@dataclass(frozen=True)
class Incoming:
    """A request and its raw (still percent-encoded) path relative to the service's mount point."""

    request: Request
    path: str
    mount: str = ""


class Service(Protocol):
    """One emulated API."""

    def claims(self, incoming: Incoming) -> bool:
        """True when this service answers the request (its route, target header or signature matches)."""

    def handle(self, incoming: Incoming) -> Response: ...


def raw_path(environ: Mapping[str, Any]) -> str:
    """The request path as the client sent it, without the query (``%2F`` stays encoded)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = str(raw).split("?", 1)[0]
        if "://" in path:  # an absolute-form request line
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return path or "/"
    return quote(str(environ.get("PATH_INFO", "/")), safe="/:@!$&'()*+,;=-._~") or "/"


class EmulatorApp:
    """WSGI callable: ``mounts`` (prefix -> services) are tried first, then ``services`` at the root."""

    def __init__(
        self,
        *,
        mounts: Mapping[str, Sequence[Service]] | None = None,
        services: Sequence[Service] = (),
        unmatched: Callable[[Incoming], Response],
        crashed: Callable[[Incoming, BaseException], Response],
    ) -> None:
        self.mounts = {"/" + prefix.strip("/"): list(found) for prefix, found in (mounts or {}).items()}
        self.services = list(services)
        self.unmatched = unmatched
        self.crashed = crashed

    def route(self, request: Request) -> tuple[Incoming, Service | None]:
        path = raw_path(request.environ)
        for prefix, services in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                incoming = Incoming(request, path[len(prefix) :] or "/", prefix)
                return incoming, _first_claiming(services, incoming)
        incoming = Incoming(request, path)
        return incoming, _first_claiming(self.services, incoming)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        from werkzeug.wrappers import Request

        request = Request(environ)
        incoming = Incoming(request, raw_path(environ))
        try:
            incoming, service = self.route(request)
            response = service.handle(incoming) if service else self.unmatched(incoming)
        except Exception as exc:  # noqa: BLE001 - every failure still gets an HTTP answer
            log.exception("emulator failed on %s %s", request.method, incoming.path)
            response = self.crashed(incoming, exc)
        return response(environ, start_response)


def _first_claiming(services: Sequence[Service], incoming: Incoming) -> Service | None:
    return next((service for service in services if service.claims(incoming)), None)
