"""Workflows (``Microsoft.Logic/workflows``): definitions checked on save, runs started and recorded.

A run is started by the Request trigger's callback URL (and answered by its ``Response`` action, or 202),
by ``POST .../triggers/{name}/run``, or by a ``Recurrence`` trigger's schedule (a timer thread per enabled
workflow). Runs execute in the background (:mod:`.engine`); the last 100 of each workflow are kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.logic_apps import engine

PROVIDER = "Microsoft.Logic"
MOUNT = "/logicapps"
MAX_RUNS = 100
_NAME = re.compile(r"^[A-Za-z0-9_.()-]{1,80}$")
TRIGGERS = ("Request", "Recurrence")
_SECONDS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 604800, "Month": 2592000}


def workflow_id(subscription: str, group: str, name: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{PROVIDER}/workflows/{name}"


def invalid(message: str) -> AzureError:
    return AzureError(400, "InvalidTemplate", message)


def check_definition(definition: Any) -> None:
    """The save-time checks Logic Apps makes: one known trigger, actions with types and valid runAfter."""
    if not isinstance(definition, dict):
        raise AzureError(400, "InvalidRequestContent", "The workflow must have a 'definition' object.")
    triggers = definition.get("triggers") or {}
    if len(triggers) != 1:
        raise invalid("The local engine runs workflows with exactly one trigger (Request or Recurrence).")
    ((name, trigger),) = triggers.items()
    if trigger.get("type") not in TRIGGERS:
        raise AzureError(
            400,
            "InvalidTemplate",
            f"The trigger '{name}' of type '{trigger.get('type')}' is not supported by the local engine "
            f"(supported: {', '.join(TRIGGERS)}).",
        )
    if trigger["type"] == "Recurrence":
        recurrence = trigger.get("recurrence") or {}
        if recurrence.get("frequency") not in _SECONDS or int(recurrence.get("interval", 1)) < 1:
            raise invalid(
                f"The recurrence of trigger '{name}' needs a frequency ({', '.join(_SECONDS)}) and an "
                "interval of at least 1."
            )
    _check_actions(definition.get("actions") or {})


def _check_actions(actions: dict[str, Any]) -> None:
    if not isinstance(actions, dict):
        raise invalid("'actions' must be an object of named actions.")
    for name, action in actions.items():
        if not isinstance(action, dict) or not action.get("type"):
            raise invalid(f"The template action '{name}' must have a 'type'.")
        for dependency, statuses in (action.get("runAfter") or {}).items():
            if dependency not in actions:
                raise invalid(
                    f"The 'runAfter' property of template action '{name}' contains non-existent "
                    f"action: '{dependency}'."
                )
            unknown = [s for s in statuses or [] if s not in engine.STATUSES]
            if unknown:
                raise invalid(
                    f"The 'runAfter' of action '{name}' has unknown statuses {unknown}; use "
                    f"{', '.join(engine.STATUSES)}."
                )
        for nested in (action.get("actions"), (action.get("else") or {}).get("actions")):
            if nested:
                _check_actions(nested)


@dataclass
class Workflow:
    subscription: str
    group: str
    name: str
    location: str
    definition: dict[str, Any]
    parameters: dict[str, Any]
    state: str = "Enabled"
    created: str = field(default_factory=engine.now)
    changed: str = field(default_factory=engine.now)
    access_key: str = field(default_factory=lambda: secrets.token_hex(32))
    runs: dict[str, engine.Run] = field(default_factory=dict)
    timer: threading.Event | None = None

    @property
    def id(self) -> str:
        return workflow_id(self.subscription, self.group, self.name)

    @property
    def workflow_id(self) -> str:
        return hashlib.sha256(self.id.lower().encode()).hexdigest()[:32]

    @property
    def trigger(self) -> tuple[str, dict[str, Any]]:
        ((name, trigger),) = (self.definition.get("triggers") or {}).items()
        return name, trigger

    def signature(self, trigger: str) -> str:
        return hmac.new(
            self.access_key.encode(), f"/triggers/{trigger}/run".encode(), hashlib.sha256
        ).hexdigest()

    def arm(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": f"{PROVIDER}/workflows",
            "location": self.location,
            "properties": {
                "provisioningState": "Succeeded",
                "state": self.state,
                "createdTime": self.created,
                "changedTime": self.changed,
                "version": self.changed,
                "definition": self.definition,
                "parameters": self.parameters,
                "accessEndpoint": f"{MOUNT}/workflows/{self.workflow_id}",
            },
        }

    def start(self, trigger_outputs: dict[str, Any]) -> engine.Run:
        """Start a run in the background; the run (its ``responded`` event tells when it answered)."""
        name, _ = self.trigger
        parameters = {k: (v or {}).get("value") for k, v in self.parameters.items()}
        for key, spec in (self.definition.get("parameters") or {}).items():
            parameters.setdefault(key, (spec or {}).get("defaultValue"))
        run = engine.Run(engine.run_name(), name, trigger_outputs, parameters, self.name)
        self.runs[run.name] = run
        for old in list(self.runs)[:-MAX_RUNS]:
            self.runs.pop(old, None)
        threading.Thread(
            target=engine.execute, args=(run, self.definition), daemon=True, name=f"logic-run-{run.name}"
        ).start()
        return run


class Workflows:
    def __init__(self) -> None:
        self.workflows: dict[str, Workflow] = {}
        self.lock = threading.RLock()

    def put(self, subscription: str, group: str, name: str, body: dict[str, Any]) -> tuple[Workflow, bool]:
        if not _NAME.match(name):
            raise AzureError(400, "InvalidResourceName", f"The workflow name '{name}' is not valid.")
        if not body.get("location"):
            raise AzureError(
                400, "LocationRequired", "The location property is required for this definition."
            )
        properties = body.get("properties") or {}
        definition = properties.get("definition")
        check_definition(definition)
        assert isinstance(definition, dict)
        workflow = Workflow(
            subscription,
            group,
            name,
            str(body["location"]),
            definition,
            dict(properties.get("parameters") or {}),
            str(properties.get("state") or "Enabled"),
        )
        with self.lock:
            previous = self.workflows.get(workflow.id.lower())
            if previous is not None:
                workflow.runs, workflow.created, workflow.access_key = (
                    previous.runs,
                    previous.created,
                    previous.access_key,
                )
                self.stop_schedule(previous)
            self.workflows[workflow.id.lower()] = workflow
        self.schedule(workflow)
        return workflow, previous is None

    def get(self, subscription: str, group: str, name: str) -> Workflow:
        key = workflow_id(subscription, group, name).lower()
        with self.lock:
            workflow = self.workflows.get(key)
        if workflow is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"The Resource '{PROVIDER}/workflows/{name}' under resource group '{group}' was not found.",
            )
        return workflow

    def by_workflow_id(self, workflow_id: str) -> Workflow | None:
        with self.lock:
            return next((w for w in self.workflows.values() if w.workflow_id == workflow_id), None)

    def remove(self, workflow: Workflow) -> None:
        with self.lock:
            self.workflows.pop(workflow.id.lower(), None)
        self.stop_schedule(workflow)

    def all(self) -> list[Workflow]:
        with self.lock:
            return list(self.workflows.values())

    def schedule(self, workflow: Workflow) -> None:
        """A Recurrence trigger of an enabled workflow fires every interval on a timer thread."""
        name, trigger = workflow.trigger
        if trigger.get("type") != "Recurrence" or workflow.state != "Enabled":
            return
        recurrence = trigger["recurrence"]
        period = _SECONDS[recurrence["frequency"]] * int(recurrence.get("interval", 1))
        stop = threading.Event()
        workflow.timer = stop

        def tick() -> None:
            while not stop.wait(period):
                workflow.start({"headers": {}, "body": None, "scheduledTime": engine.now()})

        threading.Thread(target=tick, daemon=True, name=f"logic-recurrence-{workflow.name}").start()

    def stop_schedule(self, workflow: Workflow) -> None:
        if workflow.timer is not None:
            workflow.timer.set()
            workflow.timer = None

    def reset(self) -> None:
        for workflow in self.all():
            self.remove(workflow)
