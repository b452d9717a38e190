"""Step Functions errors from moto's ASL interpreter carry their AWS error code (InvalidDefinition, ...).

moto's interpreter declares its exceptions with ``code``/``status_code`` while moto serialises ``TYPE``/
``STATUS``, so e.g. an invalid definition reaches boto3 with an empty code. ``install()`` (idempotent)
copies one onto the other.
"""

from __future__ import annotations

from types import ModuleType

from aws_ai_services.emulator.moto_patching import when_imported


def install() -> None:
    when_imported("moto.stepfunctions.parser.api", _name_the_errors)


def _name_the_errors(module: ModuleType) -> None:
    from moto.core.exceptions import AWSError

    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, AWSError) and value is not AWSError:
            code = value.__dict__.get("code")
            if isinstance(code, str) and not value.__dict__.get("TYPE"):
                value.TYPE = code
                value.STATUS = int(value.__dict__.get("status_code", 400))
