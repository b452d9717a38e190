"""moto patch: SageMaker and Application Auto Scaling requests are validated before moto's handler runs.

As AWS does, each request is checked against botocore's service model (types, required members, enums,
ranges, lengths, patterns: :mod:`multi_cloud.emulation.protocols.aws.validation`), then against the rules
the model cannot express (:mod:`.sagemaker_checks`). A refused request gets AWS's JSON error shape and
changes nothing. Wired by the ``cloudai.moto_patches`` entry point (idempotent).
"""

from __future__ import annotations

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
    if "call_action" not in vars(responses):  # inherited from BaseResponse: wrap it on this class only
        responses.call_action = responses.call_action
    patch_method(responses, "call_action", partial(_validating, service))


def _validating(service: str, original: Any) -> Any:
    def call_action(self: Any) -> Any:
        try:
            check_request(
                service, self._get_action(), self.body, account=self.current_account, region=self.region
            )
        except AwsError as err:
            return _answer(service, err)
        return original(self)

    return call_action


def check_request(service: str, operation: str, body: Any, *, account: str, region: str) -> None:
    """Raise the ``AwsError`` AWS answers to ``operation`` with JSON ``body``, if it refuses it."""
    from multi_cloud.emulation.protocols.aws.codec import from_wire
    from multi_cloud.emulation.protocols.aws.routing import service_model
    from multi_cloud.emulation.protocols.aws.validation import validate_input

    from aws_ai_services.emulator.sagemaker_checks import Scope, run_checks

    model = service_model(service)
    if operation not in model.operation_names:
        return  # moto answers unknown operations itself
    operation_model = model.operation_model(operation)
    params = _json_object(body)
    decoded = from_wire(operation_model.input_shape, params) if operation_model.input_shape else {}
    validate_input(operation_model, decoded)
    run_checks(service, operation, decoded, Scope(account, region))


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
