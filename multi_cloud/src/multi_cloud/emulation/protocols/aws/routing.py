"""Route AWS requests to a responder's methods using botocore's service model; answer every request.

JSON-protocol services are matched on ``X-Amz-Target`` (``RekognitionService.DetectFaces``), REST-JSON
services on method + path against the model's ``requestUri`` templates, narrowed by the SigV4 signing
name. An operation the model knows but the responder lacks answers 501 ``NotImplemented`` naming it; one
the model does not know answers ``UnknownOperationException``. A responder method is the operation's
snake_case name (``detect_faces(params, context) -> output dict``), as in moto's responses classes; with
``validate_input`` its input is first checked against the model (:mod:`.validation`), as AWS does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.http.wsgi_app import Incoming
from multi_cloud.emulation.protocols.aws.codec import (
    json_response,
    parse_json_request,
    parse_rest_request,
    rest_response,
)
from multi_cloud.emulation.protocols.aws.errors import (
    UNKNOWN_OPERATION,
    AwsError,
    ErrorCodes,
    RequestContext,
    credential_scope,
    error_from_cloud_error,
    error_response,
    not_implemented,
)
from multi_cloud.emulation.protocols.aws.validation import validate_input

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Response

Handler = Callable[[dict[str, Any], RequestContext], dict[str, Any]]


class AwsResponder:
    """Base of a service's responses class: one method per implemented operation."""

    #: botocore's name for the service ("rekognition", "lexv2-runtime", ...)
    service_name: ClassVar[str] = ""
    #: the service's codes for invalid input, missing resources, ...
    error_codes: ClassVar[ErrorCodes] = ErrorCodes()
    #: check each request against the service model before the handler runs, as AWS does (opt in)
    validate_input: ClassVar[bool] = False

    def map_error(self, exc: CloudError, operation: str) -> AwsError:
        """The AWS error for an engine error raised while serving ``operation`` (override per service)."""
        return error_from_cloud_error(exc, operation, self.error_codes)

    def map_exception(self, exc: Exception, operation: str) -> AwsError | None:
        """The AWS error for a non-``CloudError`` the handler raised on bad data; ``None`` = internal fault.

        By default text that cannot be encoded (a lone surrogate in a JSON string) is the service's
        invalid-input code; services add their engines' exceptions (an image decoder's, a model's).
        """
        if isinstance(exc, UnicodeError):
            return AwsError(self.error_codes.invalid, f"{operation}: the request holds invalid text: {exc}")
        return None


@cache
def service_model(service_name: str) -> Any:
    """botocore's model of ``service_name`` (loaded once per process)."""
    return _botocore_session().get_service_model(service_name)


@lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def snake_case(operation: str) -> str:
    from botocore import xform_name

    return str(xform_name(operation))


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> URI label
    required_query: tuple[str, ...]
    specificity: int


def compile_route(operation: str, method: str, request_uri: str) -> Route:
    """A regex for a botocore ``requestUri`` such as ``/endpoints/{EndpointName}/invocations``."""
    path, _, query = request_uri.partition("?")
    pattern, labels, literal = "", {}, 0
    for index, part in enumerate(re.split(r"(\{[^}]+\})", path)):
        if part.startswith("{") and part.endswith("}"):
            label = part[1:-1]
            group = f"g{index}"
            labels[group] = label.rstrip("+")
            pattern += f"(?P<{group}>.+)" if label.endswith("+") else f"(?P<{group}>[^/]+)"
        else:
            pattern += re.escape(part)
            literal += len(part)
    pattern = "^" + pattern.rstrip("/") + "/?$"
    required = tuple(item.split("=", 1)[0] for item in query.split("&") if item)
    return Route(operation, method.upper(), re.compile(pattern), labels, required, literal)


class AwsService:
    """One emulated AWS API: the dispatcher an ``EmulatorApp`` (:mod:`..http.wsgi_app`) mounts."""

    def __init__(self, responder: AwsResponder) -> None:
        self.responder = responder
        self.model = service_model(responder.service_name)
        protocols = self.model.metadata.get("protocols") or [self.model.protocol]
        # botocore sends JSON 1.1 to services that also offer RPC-v2 CBOR (Comprehend, Transcribe)
        self.protocol = "json" if "json" in protocols else self.model.protocol
        if self.protocol not in ("json", "rest-json"):
            raise ValueError(
                f"{responder.service_name} uses {self.protocol}; only json and rest-json are served"
            )
        self.target_prefix = str(self.model.metadata.get("targetPrefix", ""))
        self.signing_name = str(self.model.signing_name or self.model.endpoint_prefix)
        self.routes = sorted(
            (
                compile_route(name, op.http["method"], op.http["requestUri"])
                for name in self.model.operation_names
                for op in [self.model.operation_model(name)]
            ),
            key=lambda route: -route.specificity,
        )

    @property
    def implemented(self) -> list[str]:
        return [name for name in self.model.operation_names if hasattr(self.responder, snake_case(name))]

    # ------------------------------------------------------------------ dispatch
    def claims(self, incoming: Incoming) -> bool:
        target = incoming.request.headers.get("X-Amz-Target", "")
        if self.protocol == "json":
            return target.startswith(self.target_prefix + ".")
        if target:
            return False
        _region, signed_for = credential_scope(incoming.request)
        if signed_for and signed_for != self.signing_name:
            return False
        return any(route.pattern.match(incoming.path) for route in self.routes)

    def handle(self, incoming: Incoming) -> Response:
        request = incoming.request
        region, _service = credential_scope(request)
        context = RequestContext(service=self.responder.service_name, operation="", request=request)
        context.region = region or context.region
        try:
            operation, uri_params = self._operation(incoming)
            context.operation = operation
            return self._invoke(operation, uri_params, context)
        except AwsError as err:
            return error_response(err, service_model=self.model, request_id=context.request_id)

    def _operation(self, incoming: Incoming) -> tuple[str, dict[str, str]]:
        request = incoming.request
        if self.protocol == "json":
            operation = request.headers["X-Amz-Target"].split(".", 1)[1]
            if operation not in self.model.operation_names:
                raise AwsError(UNKNOWN_OPERATION, f"{self.model.service_id} has no operation {operation!r}")
            return operation, {}
        path_matches = [route for route in self.routes if route.pattern.match(incoming.path)]
        for route in path_matches:
            match = route.pattern.match(incoming.path)
            if route.method == request.method and all(key in request.args for key in route.required_query):
                assert match is not None
                return route.operation, {label: match.group(group) for group, label in route.labels.items()}
        allowed = sorted({route.method for route in path_matches})
        raise AwsError(
            UNKNOWN_OPERATION,
            f"{self.model.service_id} has no operation for {request.method} {incoming.path} "
            f"(this path accepts {', '.join(allowed)})",
            status=404,
        )

    def _invoke(self, operation: str, uri_params: dict[str, str], context: RequestContext) -> Response:
        handler: Handler | None = getattr(self.responder, snake_case(operation), None)
        if handler is None:
            raise not_implemented(
                f"{self.model.service_id} {operation}",
                f"this emulator implements {', '.join(self.implemented)}",
            )
        model = self.model.operation_model(operation)
        assert context.request is not None
        if self.protocol == "json":
            params = parse_json_request(model, context.request)
        else:
            params = parse_rest_request(model, context.request, uri_params)
        if self.responder.validate_input:
            validate_input(model, params)
        try:
            output = handler(params, context)
        except CloudError as exc:
            raise self.responder.map_error(exc, f"{self.model.service_id} {operation}") from exc
        except AwsError:
            raise
        except Exception as exc:  # noqa: BLE001 - bad data may surface as any engine exception
            mapped = self.responder.map_exception(exc, f"{self.model.service_id} {operation}")
            if mapped is None:
                raise  # a true internal fault: the app's crashed answer (500 InternalFailure)
            raise mapped from exc
        if self.protocol == "json":
            return json_response(model, output, context.request_id)
        return rest_response(model, output, context.request_id)


# ----------------------------------------------------------------------------- app-level answers
def unmatched_answer(served: dict[str, str]) -> Callable[[Incoming], Response]:
    """The answer to a request no service claims: ``UnknownOperationException`` listing what is served."""

    def answer(incoming: Incoming) -> Response:
        request = incoming.request
        _region, signed_for = credential_scope(request)
        target = request.headers.get("X-Amz-Target", "")
        asked = f"{request.method} {incoming.mount}{incoming.path}"
        detail = (
            f" (X-Amz-Target {target})" if target else f" (signed for {signed_for!r})" if signed_for else ""
        )
        listing = ", ".join(f"{name} at {prefix}" for name, prefix in served.items())
        return error_response(
            AwsError(
                UNKNOWN_OPERATION,
                f"no emulated AWS API answers {asked}{detail}; this emulator serves {listing}. "
                "Point the SDK at the right prefix with AWS_ENDPOINT_URL_<SERVICE> (`cloudai local env`).",
                status=404,
            )
        )

    return answer


def crashed_answer(incoming: Incoming, exc: BaseException) -> Response:
    """HTTP 500 ``InternalFailure`` naming the exception (the emulator's log has the traceback)."""
    return error_response(
        AwsError(
            "InternalFailure",
            f"the local emulator failed on {incoming.request.method} {incoming.path}: "
            f"{type(exc).__name__}: {exc}",
            status=500,
        )
    )
