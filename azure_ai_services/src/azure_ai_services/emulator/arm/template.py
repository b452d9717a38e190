"""An ARM template bound to its parameters: parameters checked, variables, resources in dependsOn order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure_ai_services.emulator.arm.expressions import Functions, TemplateError, resolve
from azure_ai_services.emulator.arm.functions import checked, pure_functions

TYPES = {
    "string": str,
    "securestring": str,
    "int": int,
    "bool": bool,
    "object": dict,
    "secureobject": dict,
    "array": list,
}


class NotYetDeployed(TemplateError):
    """``reference()`` of a resource this deployment has not created yet (what-if and validate meet it)."""


@dataclass(frozen=True)
class Scope:
    subscription: str
    group: str
    location: str
    deployment: str

    @property
    def group_id(self) -> str:
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.group}"


@dataclass
class PlannedResource:
    """One resource of the template after copy expansion: its id is known before it is deployed."""

    type: str
    name: str
    api_version: str
    raw: dict[str, Any]
    copy_index: int | None
    depends_on: list[str] = field(default_factory=list)

    def id(self, scope: Scope) -> str:
        return resource_id(scope, self.type, self.name.split("/"))


def resource_id(scope: Scope, type_name: str, names: list[str], group: str = "", sub: str = "") -> str:
    provider, *types = type_name.split("/")
    if len(types) != len(names):
        raise TemplateError(
            f"Unable to evaluate template language function 'resourceId': the type '{type_name}' requires "
            f"{len(types)} resource name argument(s)."
        )
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    group_id = f"/subscriptions/{sub or scope.subscription}/resourceGroups/{group or scope.group}"
    return f"{group_id}/providers/{provider}/{path}"


class BoundTemplate:
    """``template`` with ``parameters`` (``{"name": {"value": v}}``) for a deployment in ``scope``."""

    def __init__(
        self,
        template: dict[str, Any],
        parameters: dict[str, Any],
        scope: Scope,
        reference: Callable[[str, bool], dict[str, Any]],
    ) -> None:
        if not isinstance(template, dict) or not isinstance(template.get("resources", []), list):
            raise TemplateError("The template must be a JSON object whose 'resources' is an array.")
        for section in ("parameters", "variables", "outputs"):
            if not isinstance(template.get(section) or {}, dict):
                raise TemplateError(f"The template's '{section}' must be a JSON object.")
        declared = template.get("parameters") or {}
        malformed = [name for name, spec in declared.items() if not isinstance(spec, dict)]
        if malformed:
            raise TemplateError(f"The template parameter '{malformed[0]}' must be an object with a 'type'.")
        outputs = template.get("outputs") or {}
        if any(not isinstance(spec, dict) for spec in outputs.values()):
            raise TemplateError("Each template output must be an object with 'type' and 'value'.")
        if not isinstance(parameters, dict):
            raise TemplateError("The deployment's parameters must be a JSON object of {name: {value}}.")
        self.template = template
        self.scope = scope
        self.reference = reference
        self._variables: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self.functions = self._functions(copy_index=None)
        self.parameters = self._bind(parameters)

    def _functions(self, copy_index: int | None) -> Functions:
        functions = pure_functions()
        scope = self.scope
        contextual: dict[str, tuple[Callable[..., Any], int, int | None]] = {
            "parameters": (self._parameter, 1, 1),
            "variables": (self._variable, 1, 1),
            "resourcegroup": (
                lambda: {
                    "id": scope.group_id,
                    "name": scope.group,
                    "type": "Microsoft.Resources/resourceGroups",
                    "location": scope.location,
                    "properties": {"provisioningState": "Succeeded"},
                },
                0,
                0,
            ),
            "subscription": (
                lambda: {
                    "id": f"/subscriptions/{scope.subscription}",
                    "subscriptionId": scope.subscription,
                    "tenantId": "00000000-0000-0000-0000-000000000000",
                    "displayName": "Local cloud subscription",
                },
                0,
                0,
            ),
            "deployment": (lambda: {"name": scope.deployment, "properties": {"templateLink": None}}, 0, 0),
            "resourceid": (self._resource_id, 2, None),
            "reference": (self._reference, 1, 3),
            "copyindex": (lambda *a: self._copy_index(copy_index, *a), 0, 2),
        }
        functions.update({name: checked(name, f, low, high) for name, (f, low, high) in contextual.items()})
        return functions

    def _copy_index(self, index: int | None, *args: Any) -> int:
        if index is None:
            raise TemplateError("The template function 'copyIndex' is not expected at this location.")
        offset = next((a for a in args if isinstance(a, int)), 0)
        return index + offset

    def _resource_id(self, *args: str) -> str:
        position = next((i for i, a in enumerate(args) if "/" in str(a) and "." in str(a).split("/")[0]), -1)
        if position < 0 or position > 2:
            raise TemplateError(
                "Unable to evaluate template language function 'resourceId': no resource type "
                "('Microsoft.Provider/type') among its arguments."
            )
        before = [str(a) for a in args[:position]]
        sub = before[0] if len(before) == 2 else ""
        group = before[-1] if before else ""
        return resource_id(
            self.scope, str(args[position]), [str(a) for a in args[position + 1 :]], group, sub
        )

    def _reference(self, target: str, api_version: str = "", full: str = "") -> dict[str, Any]:
        if not target.startswith("/"):
            found = [r for r in self.resources() if r.name.lower() == target.lower()]
            if not found:
                raise TemplateError(f"The resource '{target}' is not defined in the template.")
            target = found[0].id(self.scope)
        return self.reference(target, full.lower() == "full")

    def _parameter(self, name: str) -> Any:
        for declared, value in self.parameters.items():
            if declared.lower() == str(name).lower():
                return value
        raise TemplateError(f"The template parameter '{name}' is not found.")

    def _variable(self, name: str) -> Any:
        declared = {k.lower(): (k, v) for k, v in (self.template.get("variables") or {}).items()}
        key = str(name).lower()
        if key not in declared:
            raise TemplateError(f"The template variable '{name}' is not found.")
        if key not in self._variables:
            if key in self._evaluating:
                raise TemplateError(f"The template variable '{name}' refers to itself.")
            self._evaluating.add(key)
            self._variables[key] = resolve(declared[key][1], self.functions)
            self._evaluating.discard(key)
        return self._variables[key]

    def _bind(self, supplied: dict[str, Any]) -> dict[str, Any]:
        declared: dict[str, Any] = self.template.get("parameters") or {}
        unknown = [n for n in supplied if n.lower() not in {d.lower() for d in declared}]
        if unknown:
            raise TemplateError(
                f"The template parameters '{', '.join(unknown)}' in the parameters file are not valid; they "
                "are "
                "not present in the original template and can therefore not be provided at deployment time."
            )
        given = {k.lower(): v for k, v in supplied.items()}
        bound: dict[str, Any] = {}
        self.parameters = bound  # defaults may read parameters declared before them
        for name, spec in declared.items():
            entry = given.get(name.lower())
            if isinstance(entry, dict) and "value" in entry:
                value = entry["value"]
            elif "defaultValue" in spec:
                value = resolve(spec["defaultValue"], self.functions)
            else:
                raise TemplateError(f"The value for the template parameter '{name}' is not provided.")
            bound[name] = check_parameter(name, spec, value)
        return bound

    def resources(self) -> list[PlannedResource]:
        """Every resource (copy loops expanded, false ``condition`` left out) with its dependencies."""
        planned: list[PlannedResource] = []
        loops: dict[str, list[str]] = {}
        for raw in self.template.get("resources", []):
            if not isinstance(raw, dict) or "type" not in raw or "name" not in raw:
                raise TemplateError("Each resource of the template needs 'type', 'apiVersion' and 'name'.")
            copy = raw.get("copy")
            indexes: list[int | None] = [None]
            if isinstance(copy, dict):
                count = resolve(copy.get("count", 0), self.functions)
                if not isinstance(count, int) or not 0 <= count <= 800:
                    raise TemplateError(
                        f"The copy count of '{copy.get('name')}' must be an integer from 0 to 800."
                    )
                indexes = list(range(count))
            for index in indexes:
                functions = self._functions(index)
                if "condition" in raw and not resolve(raw["condition"], functions):
                    continue
                resource = PlannedResource(
                    type=str(resolve(raw["type"], functions)),
                    name=str(resolve(raw["name"], functions)),
                    api_version=str(raw.get("apiVersion", "")),
                    raw=raw,
                    copy_index=index,
                    depends_on=[str(d) for d in resolve(raw.get("dependsOn", []), functions)],
                )
                planned.append(resource)
                if isinstance(copy, dict):
                    loops.setdefault(str(copy.get("name", "")).lower(), []).append(resource.id(self.scope))
        return order(planned, loops, self.scope)

    def body(self, resource: PlannedResource) -> dict[str, Any]:
        """The resource's request body (location, tags, sku, kind, identity, properties), evaluated now."""
        functions = self._functions(resource.copy_index)
        skip = {"type", "name", "apiVersion", "dependsOn", "copy", "condition", "comments", "resources"}
        return {k: resolve(v, functions) for k, v in resource.raw.items() if k not in skip}

    def outputs(self) -> dict[str, Any]:
        declared = self.template.get("outputs") or {}
        return {
            name: {"type": spec.get("type", "String"), "value": resolve(spec.get("value"), self.functions)}
            for name, spec in declared.items()
        }

    def template_hash(self) -> str:
        digest = hashlib.sha256(json.dumps(self.template, sort_keys=True).encode()).digest()
        return str(int.from_bytes(digest[:8], "big"))


def check_parameter(name: str, spec: dict[str, Any], value: Any) -> Any:
    kind = str(spec.get("type", "")).lower()
    if kind not in TYPES:
        raise TemplateError(
            f"The template parameter '{name}' has type '{spec.get('type')}', which is not valid."
        )
    expected = TYPES[kind]
    if kind == "int" and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise TemplateError(
            f"Template parameter '{name}' was provided an invalid value. Expected a value of type "
            f"'{spec.get('type')}', but received a value of type '{type(value).__name__}'."
        )
    allowed = spec.get("allowedValues")
    if allowed is not None and value not in allowed:
        raise TemplateError(
            f"The provided value '{value}' for the template parameter '{name}' is not valid. The value is "
            "not "
            f"part of the allowed value(s): '{','.join(map(str, allowed))}'."
        )
    if isinstance(value, (str, list)):
        if "minLength" in spec and len(value) < spec["minLength"]:
            raise TemplateError(
                f"The template parameter '{name}' is shorter than minLength {spec['minLength']}."
            )
        if "maxLength" in spec and len(value) > spec["maxLength"]:
            raise TemplateError(
                f"The template parameter '{name}' is longer than maxLength {spec['maxLength']}."
            )
    if isinstance(value, int) and not isinstance(value, bool):
        if "minValue" in spec and value < spec["minValue"]:
            raise TemplateError(f"The template parameter '{name}' is below minValue {spec['minValue']}.")
        if "maxValue" in spec and value > spec["maxValue"]:
            raise TemplateError(f"The template parameter '{name}' is above maxValue {spec['maxValue']}.")
    return value


def order(planned: list[PlannedResource], loops: dict[str, list[str]], scope: Scope) -> list[PlannedResource]:
    """Topological order by ``dependsOn`` (ids, names or copy-loop names); a cycle is ``InvalidTemplate``."""
    by_id = {r.id(scope).lower(): r for r in planned}
    by_name = {r.name.lower(): r.id(scope).lower() for r in planned}

    def targets(reference: str) -> list[str]:
        key = reference.lower()
        if key in by_id:
            return [key]
        if key in loops:
            return [i.lower() for i in loops[key]]
        if key in by_name:
            return [by_name[key]]
        matches = [i for i in by_id if i.endswith("/" + key)]
        if not matches:
            raise TemplateError(f"The resource '{reference}' is not defined in the template.")
        return matches

    edges = {rid: [t for d in r.depends_on for t in targets(d)] for rid, r in by_id.items()}
    done: list[str] = []
    state: dict[str, str] = {}

    def visit(rid: str) -> None:
        if state.get(rid) == "done":
            return
        if state.get(rid) == "visiting":
            raise TemplateError(f"Circular dependency detected on resource: '{by_id[rid].id(scope)}'.")
        state[rid] = "visiting"
        for target in edges[rid]:
            visit(target)
        state[rid] = "done"
        done.append(rid)

    for rid in by_id:
        visit(rid)
    return [by_id[rid] for rid in done]
