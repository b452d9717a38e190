"""moto's own WSGI application (what ``moto_server`` serves), ready for the local cloud's HTTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from multi_cloud.emulation.http.aws_wire_errors import aws_wire
from multi_cloud.emulation.http.error_filter import ErrorFilter
from multi_cloud.emulation.http.json_bodies import JsonBodyCheck
from multi_cloud.emulation.http.waitress_server import ORIGINAL_HEADER_NAMES

#: moto reads requests with these (botocore's timestamp parsing inside them raises RuntimeError on junk)
MOTO_REQUEST_PARSERS = ("moto.core.parse",)
#: S3 user metadata may have ``_`` in its names; moto's own server keeps those headers too
MOTO_UNDERSCORE_HEADERS = ("x-amz-meta-",)


def moto_wsgi_app() -> Any:
    """moto's ``DomainDispatcherApplication``; bad JSON refused, crashes and HTML pages in AWS's shape."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    moto = _PreservedHeaderNames(DomainDispatcherApplication(create_backend_app))
    return JsonBodyCheck(
        ErrorFilter(moto, aws_wire, who="moto", parsing_modules=MOTO_REQUEST_PARSERS), aws_wire
    )


class _PreservedHeaderNames:
    """Hand moto the original spelling of kept underscore headers, as its own request handler does."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        names = environ.get(ORIGINAL_HEADER_NAMES)
        if names:
            from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY

            environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = dict(names)
        return self.app(environ, start_response)  # type: ignore[no-any-return]
