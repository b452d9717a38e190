"""moto patch: a Lambda function's ``MemorySize`` and ``Timeout`` outside Lambda's limits are refused.

Lambda takes 128-10,240 MB and 1-900 s and answers anything else with ``ValidationException`` (``1 validation
error detected: Value '10241' at 'memorySize' failed to satisfy constraint: ...``). moto stored any value,
and the local cloud's sandbox then ran the function with a clamped limit, so the configuration read back
was not what ran. botocore refuses values under the minimums itself; the maximums are checked here, on
``CreateFunction`` and ``UpdateFunctionConfiguration``. Wired by the ``cloudai.moto_patches`` entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: request member -> (the name AWS's message uses, minimum, maximum)
LIMITS = {"MemorySize": ("memorySize", 128, 10_240), "Timeout": ("timeout", 1, 900)}


def install() -> None:
    when_imported("moto.awslambda.models", _patch_backend)


def _patch_backend(module: ModuleType) -> None:
    def make_create(original: Any) -> Any:
        def create_function(self: Any, spec: dict[str, Any]) -> Any:
            check_limits(spec)
            return original(self, spec)

        return create_function

    def make_update(original: Any) -> Any:
        def update_function_configuration(
            self: Any, function_name: str, qualifier: str, body: dict[str, Any]
        ) -> Any:
            check_limits(body)
            return original(self, function_name, qualifier, body)

        return update_function_configuration

    patch_method(module.LambdaBackend, "create_function", make_create)
    patch_method(module.LambdaBackend, "update_function_configuration", make_update)


def check_limits(request: Mapping[str, Any]) -> None:
    """Lambda's ``ValidationException`` for the first member outside its limits."""
    from moto.awslambda.exceptions import ValidationException

    for member, (name, low, high) in LIMITS.items():
        value = request.get(member)
        if value is None:
            continue
        if int(value) > high:
            raise ValidationException(
                str(value), name, f"Member must have value less than or equal to {high}"
            )
        if int(value) < low:
            raise ValidationException(
                str(value), name, f"Member must have value greater than or equal to {low}"
            )
