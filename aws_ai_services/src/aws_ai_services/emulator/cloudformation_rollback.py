"""moto patch: a resource that fails to create or update rolls the stack back, as CloudFormation does.

moto creates a stack's resources synchronously and, when one fails, lets the error escape the API call
(``CreateStack``, ``UpdateStack``, ``ExecuteChangeSet``) and leaves the stack half-built. After ``install()``
(wired by the ``cloudai.moto_patches`` entry point, idempotent) the call succeeds as on AWS and the stack
ends where CloudFormation leaves it: a failed create deletes what was created and ends in
``ROLLBACK_COMPLETE`` (the stack stays, to be deleted); a failed update re-applies the previous template and
parameters and ends in ``UPDATE_ROLLBACK_COMPLETE``. The events carry the failed resource's
``*_FAILED`` event with the reason, then the rollback's own events. ``DisableRollback`` (or ``OnFailure``
``DO_NOTHING``) keeps what was built and ends in ``CREATE_FAILED``/``UPDATE_FAILED``; ``OnFailure=DELETE``
rolls back, then deletes the stack.
"""

from __future__ import annotations

import contextvars
import copy
import logging
from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

logger = logging.getLogger(__name__)
STACK_TYPE = "AWS::CloudFormation::Stack"
#: what the request asked for on failure: "ROLLBACK" (the default), "DO_NOTHING" or "DELETE"
_ON_FAILURE: contextvars.ContextVar[str] = contextvars.ContextVar(
    "cloudai_cfn_on_failure", default="ROLLBACK"
)
_FAILED_AT = (
    "_cloudai_failed_resource"  # (logical id, type, action) set on the exception by the innermost frame
)


def install() -> None:
    when_imported("moto.cloudformation.parsing", _patch_parsing)
    when_imported("moto.cloudformation.models", _patch_models)
    when_imported("moto.cloudformation.responses", _patch_responses)


# ----------------------------------------------------------------------------- what the request asked for
def _patch_responses(module: ModuleType) -> None:
    for action in ("create_stack", "update_stack", "execute_change_set"):
        patch_method(module.CloudFormationResponse, action, _honouring_on_failure)


def _honouring_on_failure(original: Any) -> Any:
    def action(self: Any) -> Any:
        disabled = str(self._get_param("DisableRollback", "false")).lower() == "true"
        token = _ON_FAILURE.set("DO_NOTHING" if disabled else str(self._get_param("OnFailure") or "ROLLBACK"))
        try:
            return original(self)
        finally:
            _ON_FAILURE.reset(token)

    return action


# ----------------------------------------------------------------------------- which resource failed
def _patch_parsing(module: ModuleType) -> None:
    def make_getitem(original: Any) -> Any:
        def __getitem__(self: Any, key: str) -> Any:  # noqa: N807 - ResourceMap.__getitem__ creates lazily
            try:
                return original(self, key)
            except Exception as exc:
                resource = getattr(self, "_resource_json_map", {}).get(key) or {}
                _mark(exc, key, resource.get("Type", ""), "CREATE")
                raise

        return __getitem__

    def make_update(original: Any) -> Any:
        def parse_and_update_resource(logical_id: str, resource_json: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(logical_id, resource_json, *args, **kwargs)
            except Exception as exc:
                _mark(exc, logical_id, (resource_json or {}).get("Type", ""), "UPDATE")
                raise

        return parse_and_update_resource

    def make_map_update(original: Any) -> Any:
        def update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
            before = set(self._resource_json_map)
            original(self, template, parameters)
            _forget(self, before - set(template.get("Resources") or {}))  # moto keeps deleted ones cached

        return update

    patch_method(module.ResourceMap, "__getitem__", make_getitem)
    patch_method(module.ResourceMap, "update", make_map_update)
    patch_method(module, "parse_and_update_resource", make_update)


def _forget(resources: Any, logical_ids: set[str]) -> None:
    """Drop deleted resources from moto's lazy map, so that adding them again really creates them."""
    for logical_id in logical_ids:
        resources._parsed_resources.pop(logical_id, None)


def _mark(exc: BaseException, logical_id: str, resource_type: str, action: str) -> None:
    if not hasattr(exc, _FAILED_AT):
        setattr(exc, _FAILED_AT, (logical_id, resource_type, action))


# ----------------------------------------------------------------------------- stacks
def _patch_models(module: ModuleType) -> None:
    patch_method(module.Stack, "create_resources", lambda original: _create_resources(module, original))
    patch_method(module.Stack, "update", lambda original: _update(module, original))
    patch_method(
        module.CloudFormationBackend,
        "execute_change_set",
        lambda original: _execute_change_set(module, original),
    )


def _create_resources(module: ModuleType, original: Any) -> Any:
    def create_resources(self: Any) -> None:
        try:
            original(self)
        except Exception as exc:  # noqa: BLE001 - a resource failure: roll back as CloudFormation does
            _roll_back_create(module, self, exc)

    return create_resources


def _update(module: ModuleType, original: Any) -> Any:
    def update(self: Any, template: str, *args: Any, **kwargs: Any) -> None:
        previous = _snapshot(self)
        try:
            original(self, template, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a resource failure: restore the previous stack
            _roll_back_update(module, self, exc, previous)

    return update


def _execute_change_set(module: ModuleType, original: Any) -> Any:
    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set: Any = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
        )
        stack = self.stacks.get(change_set.stack_id) if change_set is not None else None
        if stack is None:
            original(self, change_set_name, stack_name)  # moto answers the request error
            return
        previous = _snapshot(stack)
        try:
            original(self, change_set_name, stack_name)
        except Exception as exc:  # noqa: BLE001 - a resource failure: the execution fails, the stack rolls back
            change_set.execution_status = "EXECUTE_FAILED"
            if change_set.change_set_type == "CREATE":
                stack.template = change_set.template
                stack._parse_template()
                _roll_back_create(module, stack, exc)
            else:
                _roll_back_update(module, stack, exc, previous)

    return execute_change_set


def _snapshot(stack: Any) -> dict[str, Any]:
    resources = stack.resource_map
    return {
        "template": stack.template,
        "parameters": copy.deepcopy(stack.parameters),
        "input_parameters": copy.deepcopy(resources.input_parameters),
    }


def _roll_back_create(module: ModuleType, stack: Any, exc: BaseException) -> None:
    failed_id = _record_failure(module, stack, exc, "CREATE")
    if _ON_FAILURE.get() == "DO_NOTHING":
        stack.status = "CREATE_FAILED"
        _event(module, stack, "CREATE_FAILED", _failed_to("create", failed_id))
        return
    stack.status = "ROLLBACK_IN_PROGRESS"
    _event(
        module,
        stack,
        "ROLLBACK_IN_PROGRESS",
        _failed_to("create", failed_id) + " Rollback requested by user.",
    )
    status = "ROLLBACK_COMPLETE"
    created = _created_resources(stack)
    try:
        stack.resource_map.delete()
    except Exception as cleanup:  # noqa: BLE001 - reported as the stack's final state
        status = "ROLLBACK_FAILED"
        _event(module, stack, "ROLLBACK_FAILED", f"Rollback failed: {_message(cleanup)}")
    else:
        for logical_id, resource_type, physical_id in created:
            _event(module, stack, "DELETE_COMPLETE", None, logical_id, resource_type, physical_id)
        _event(module, stack, "ROLLBACK_COMPLETE")
    stack.resource_map._resource_json_map = {}  # nothing left to list (or to re-create lazily)
    stack.output_map = module.OutputMap(stack.resource_map, {}, stack.stack_id)
    _drop_exports(module, stack)
    stack.status = status
    if _ON_FAILURE.get() == "DELETE" and status == "ROLLBACK_COMPLETE":
        module.cloudformation_backends[stack.account_id][stack.region_name].delete_stack(stack.stack_id)


def _roll_back_update(module: ModuleType, stack: Any, exc: BaseException, previous: dict[str, Any]) -> None:
    failed_id = _record_failure(module, stack, exc, "UPDATE")
    if _ON_FAILURE.get() == "DO_NOTHING":
        stack.status = "UPDATE_FAILED"
        _event(module, stack, "UPDATE_FAILED", _failed_to("update", failed_id))
        return
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    _event(module, stack, "UPDATE_ROLLBACK_IN_PROGRESS", _failed_to("update", failed_id))
    attempted = set(stack.resource_map._resource_json_map)
    stack.template = previous["template"]
    stack._parse_template()
    stack.parameters = previous["parameters"]
    restored = set(stack.template_dict.get("Resources") or {})
    _forget(
        stack.resource_map, restored - attempted
    )  # deleted by the failed update: the rollback re-creates them
    try:
        stack.resource_map.update(stack.template_dict, previous["input_parameters"])
    except Exception as cleanup:  # noqa: BLE001 - reported as the stack's final state
        stack.status = "UPDATE_ROLLBACK_FAILED"
        _event(module, stack, "UPDATE_ROLLBACK_FAILED", f"Rollback failed: {_message(cleanup)}")
        return
    stack.output_map = stack._create_output_map()
    _event(module, stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    _event(module, stack, "UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"


def _record_failure(module: ModuleType, stack: Any, exc: BaseException, action: str) -> str:
    """The failed resource's ``*_FAILED`` event (with the reason); its logical id."""
    logical_id, resource_type, resource_action = getattr(exc, _FAILED_AT, (stack.name, STACK_TYPE, action))
    logger.info("stack %s: %s failed (%s); rolling back", stack.name, logical_id, _message(exc))
    _event(module, stack, f"{resource_action}_FAILED", _reason(exc), logical_id, resource_type)
    return str(logical_id)


def _failed_to(verb: str, logical_id: str) -> str:
    return f"The following resource(s) failed to {verb}: [{logical_id}]."


def _reason(exc: BaseException) -> str:
    """CloudFormation's wording for a resource handler's error (the service's code kept in it)."""
    code = getattr(exc, "error_type", None) or getattr(exc, "code", None)
    status = getattr(exc, "code", None) if isinstance(getattr(exc, "code", None), int) else None
    code = code if isinstance(code, str) else type(exc).__name__
    detail = f"Error Code: {code}" if status is None else f"Status Code: {status}, Error Code: {code}"
    return f'Resource handler returned message: "{_message(exc)}" ({detail})'


def _message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc)


def _created_resources(stack: Any) -> list[tuple[str, str, str]]:
    parsed = stack.resource_map._parsed_resources
    return [
        (
            logical_id,
            str(resource.get("Type", "")),
            str(getattr(parsed[logical_id], "physical_resource_id", "")),
        )
        for logical_id, resource in stack.resource_map._resource_json_map.items()
        if logical_id in parsed and not isinstance(parsed[logical_id], str)
    ]


def _event(
    module: ModuleType,
    stack: Any,
    status: str,
    reason: str | None = None,
    logical_id: str | None = None,
    resource_type: str = STACK_TYPE,
    physical_id: str = "",
) -> None:
    if logical_id is None:
        stack._add_stack_event(status, resource_status_reason=reason)
        return
    stack.events.append(
        module.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _drop_exports(module: ModuleType, stack: Any) -> None:
    backend = module.cloudformation_backends[stack.account_id][stack.region_name]
    for name in [
        name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id
    ]:
        backend.exports.pop(name, None)
