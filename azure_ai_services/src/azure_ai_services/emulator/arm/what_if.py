"""What-if: the ``WhatIfOperationResult`` changes a deployment would make, computed from the current state."""

from __future__ import annotations

from typing import Any

from azure_ai_services.emulator.arm.dispatch import SECRET_TYPE, record
from azure_ai_services.emulator.arm.expressions import TemplateError
from azure_ai_services.emulator.arm.runner import DeploymentRunner, invalid_template
from azure_ai_services.emulator.arm.template import NotYetDeployed, Scope

COMPARED = ("location", "tags", "sku", "kind", "properties")


def delta(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """The template's values that differ from the resource's (keys it leaves out are not compared)."""
    if isinstance(after, dict) and isinstance(before, dict):
        changes: list[dict[str, Any]] = []
        for key, value in after.items():
            child = f"{path}.{key}" if path else key
            match = next((k for k in before if k.lower() == key.lower()), None)
            if match is None:
                changes.append({"path": child, "propertyChangeType": "Create", "after": value})
            else:
                changes.extend(delta(before[match], value, child))
        return changes
    if isinstance(before, str) and isinstance(after, str) and path.split(".")[-1] == "location":
        same = before.replace(" ", "").lower() == after.replace(" ", "").lower()
    else:
        same = before == after
    return [] if same else [{"path": path, "propertyChangeType": "Modify", "before": before, "after": after}]


def what_if(
    runner: DeploymentRunner, scope: Scope, properties: dict[str, Any], host_url: str
) -> dict[str, Any]:
    bound = runner.bind(scope, properties, host_url, planning=True)
    try:
        planned = bound.resources()
    except TemplateError as err:
        raise invalid_template(err) from None
    changes: list[dict[str, Any]] = []
    for resource in planned:
        resource_id = resource.id(scope)
        try:
            body = bound.body(resource)
        except NotYetDeployed:
            body = {k: v for k, v in resource.raw.items() if k in COMPARED}  # still an expression: unknown
        except TemplateError as err:
            raise invalid_template(err) from None
        after = {
            "id": resource_id,
            "name": resource.name,
            "type": resource.type,
            "apiVersion": resource.api_version,
            **body,
        }
        current = runner.dispatcher.exists(host_url, record(resource_id, resource.type, resource.api_version))
        if current is None:
            changes.append({"resourceId": resource_id, "changeType": "Create", "after": after})
            continue
        if resource.type.lower() == SECRET_TYPE:  # ARM never returns a secret's value; the vault compares it
            current = {
                **current,
                "properties": {**current["properties"], "value": runner.dispatcher.secret_value(resource_id)},
            }
        found = delta(
            {k: current.get(k) for k in COMPARED if k in current}, {k: body[k] for k in COMPARED if k in body}
        )
        changes.append(
            {
                "resourceId": resource_id,
                "changeType": "Modify" if found else "NoChange",
                "before": current,
                "after": after,
                **({"delta": found} if found else {}),
            }
        )
    planned_ids = {r.id(scope).lower() for r in planned}
    complete = properties.get("mode") == "Complete"
    for key, rec in runner.group_resources(scope, host_url).items():
        if key not in planned_ids:
            before = runner.dispatcher.exists(host_url, rec)
            changes.append(
                {"resourceId": rec["id"], "changeType": "Delete" if complete else "Ignore", "before": before}
            )
    return {"status": "Succeeded", "properties": {"changes": changes}}
