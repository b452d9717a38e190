"""moto patch: SageMaker and Application Auto Scaling requests are validated before moto's handler runs.

As AWS does, each request is checked against botocore's service model before moto parses it (types,
required members, enums, ranges, lengths, patterns: :mod:`multi_cloud.emulation.protocols.aws.validation`),
then, once moto knows the caller's account and region, against the rules the model cannot express
(:mod:`.sagemaker_checks`). A refused request gets AWS's JSON error shape and
changes nothing. Wired by the ``cloudai.moto_patches`` entry point (idempotent).
"""

from __future__ import annotations

import gzip
import json
from functools import partial
from types import ModuleType
from typing import Any

from multi_cloud.emulation.protocols.aws.errors import AwsError

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: moto responses module -> (its responses class, botocore's service name)
VALIDATED = {
    "moto.sagemaker.responses": ("SageMakerResponse", "sagemaker"),
    "moto.applicationautoscaling.responses": ("ApplicationAutoScalingResponse", "application-autoscaling"),
}


def install() -> None:
    for module_name, (class_name, service) in VALIDATED.items():
        when_imported(module_name, partial(_patch, class_name, service))


def _patch(class_name: str, service: str, module: ModuleType) -> None:
    responses = getattr(module, class_name)
    for method in ("_dispatch", "call_action"):
        if method not in vars(responses):  # inherited from BaseResponse: wrap it on this class only
            setattr(responses, method, getattr(responses, method))
    patch_method(responses, "_dispatch", partial(_checking_shape, service))
    patch_method(responses, "call_action", partial(_checking_rules, service))


def _checking_shape(service: str, original: Any) -> Any:
    """Before moto parses the request (its parser fails on some shapes): the model's constraints."""

    def _dispatch(self: Any, request: Any, full_url: Any = None, headers: Any = None) -> Any:
        operation = request.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        try:
            self._cloudai_params = check_request(service, operation, _body(request))
        except AwsError as err:
            return _answer(service, err)
        return original(self, request, full_url, headers)

    return _dispatch


def _checking_rules(service: str, original: Any) -> Any:
    """Once moto knows the caller's account and region: the service's own rules (:mod:`.sagemaker_checks`)."""

    def call_action(self: Any) -> Any:
        from aws_ai_services.emulator.sagemaker_checks import Scope, run_checks

        params = getattr(self, "_cloudai_params", None)
        if params is not None:
            try:
                run_checks(service, self._get_action(), params, Scope(self.current_account, self.region))
            except AwsError as err:
                return _answer(service, err)
        return original(self)

    return call_action


def check_request(service: str, operation: str, body: Any) -> dict[str, Any] | None:
    """The request's parameters as boto3 passed them; raises the ``AwsError`` AWS answers to a bad one.

    ``None`` for an operation the model does not know (moto answers those itself).
    """
    from multi_cloud.emulation.protocols.aws.codec import from_wire
    from multi_cloud.emulation.protocols.aws.routing import service_model
    from multi_cloud.emulation.protocols.aws.validation import validate_input

    model = service_model(service)
    if operation not in model.operation_names:
        return None
    operation_model = model.operation_model(operation)
    params = _json_object(body)
    decoded: dict[str, Any] = (
        from_wire(operation_model.input_shape, params) if operation_model.input_shape else {}
    )
    validate_input(operation_model, decoded)
    return decoded


def _body(request: Any) -> bytes:
    data = bytes(request.get_data(cache=True))
    if request.content_encoding != "gzip" or not data:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise AwsError(
            "SerializationException", f"the gzip request body is corrupt: {exc}", status=400
        ) from exc


def _json_object(body: Any) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, (bytes, bytearray)) else str(body or "")
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise AwsError(
            "SerializationException", f"the request body is not valid JSON: {exc}", status=400
        ) from exc
    if not isinstance(parsed, dict):
        raise AwsError("SerializationException", "the request body must be a JSON object", status=400)
    return parsed


def _answer(service: str, err: AwsError) -> tuple[int, dict[str, str], str]:
    """moto's ``(status, headers, body)`` for ``err``, in the shape botocore parses (protocols/aws)."""
    from multi_cloud.emulation.protocols.aws.errors import error_response
    from multi_cloud.emulation.protocols.aws.routing import service_model

    response = error_response(err, service_model=service_model(service))
    return response.status_code, dict(response.headers), response.get_data(as_text=True)
