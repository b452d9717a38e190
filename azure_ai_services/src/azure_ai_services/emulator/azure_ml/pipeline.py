"""Pipeline jobs: each step's component runs as a child command job once the steps it reads from completed."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml.jobs import JobRecord, now
from azure_ai_services.emulator.azure_ml.sweep import PARENT_PROPERTY

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.jobs.store import BackgroundJob

    from azure_ai_services.emulator.azure_ml.resources import Scope
    from azure_ai_services.emulator.azure_ml.workspace import AzureML

REFERENCE = re.compile(
    r"^\$\{\{\s*parent\.(?:inputs\.(?P<input>[\w-]+)|jobs\.(?P<job>[\w-]+)\.outputs\.(?P<output>[\w-]+))\s*\}\}$"
)
PARENT_OUTPUT = re.compile(r"^\$\{\{\s*parent\.outputs\.(?P<name>[\w-]+)\s*\}\}$")
POLL_SECONDS = 0.5


def _field(spec: dict[str, Any], camel: str) -> Any:
    """``jobInputType`` or ``job_input_type``: the SDK sends step fields snake_cased."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
    return spec.get(camel, spec.get(snake))


def upstream(step: dict[str, Any]) -> set[str]:
    """The steps whose outputs ``step`` reads."""
    found = set()
    for spec in (step.get("inputs") or {}).values():
        match = REFERENCE.match(str(_field(spec, "value") or "")) if isinstance(spec, dict) else None
        if match and match.group("job"):
            found.add(match.group("job"))
    return found


def check_pipeline(ml: AzureML, scope: Scope, properties: dict[str, Any]) -> None:
    """400 for a pipeline the service would refuse: no steps, unknown components or steps, a cycle."""
    steps = properties.get("jobs") or {}
    if not steps:
        raise AzureError(400, "UserError", "A pipeline job needs at least one step in properties.jobs.")
    for name, step in steps.items():
        if str(step.get("type", "command")).lower() != "command":
            raise AzureError(
                501,
                "NotImplemented",
                f"step '{name}': the local emulator runs command steps, not '{step.get('type')}'",
            )
        component_spec(ml, scope, name, step)
        missing = upstream(step) - set(steps)
        if missing:
            raise AzureError(
                400, "UserError", f"step '{name}' reads outputs of unknown step(s) {', '.join(missing)}."
            )
    order(steps)


def component_spec(ml: AzureML, scope: Scope, step_name: str, step: dict[str, Any]) -> dict[str, Any]:
    component_id = str(step.get("componentId") or "")
    if "/components/" not in component_id or "/versions/" not in component_id:
        raise AzureError(
            400, "UserError", f"step '{step_name}' needs a componentId (…/components/NAME/versions/V)."
        )
    name, _, version = component_id.split("/components/", 1)[1].partition("/versions/")
    component = ml.resources.find(scope, "components", name, version.strip("/"))
    if component is None:
        raise AzureError(
            404, "ResourceNotFound", f"step '{step_name}': component {name}:{version} was not found."
        )
    spec: dict[str, Any] = component["properties"].get("componentSpec") or {}
    if not spec.get("command"):
        raise AzureError(400, "UserError", f"step '{step_name}': component {name}:{version} has no command.")
    return spec


def order(steps: dict[str, Any]) -> list[str]:
    """Steps in dependency order; 400 for a cycle."""
    done: list[str] = []
    pending = dict(steps)
    while pending:
        ready = [name for name, step in pending.items() if upstream(step) <= set(done)]
        if not ready:
            raise AzureError(400, "UserError", f"the pipeline's steps {', '.join(pending)} form a cycle.")
        for name in ready:
            done.append(name)
            del pending[name]
    return done


class PipelineRun:
    """Runs steps as their inputs become available; a failed step fails the pipeline, the rest never start."""

    def __init__(self, ml: AzureML, record: JobRecord, control: BackgroundJob) -> None:
        self.ml = ml
        self.record = record
        self.control = control
        self.children: dict[str, JobRecord] = {}

    def run(self) -> None:
        record = self.record
        steps: dict[str, Any] = record.properties.get("jobs") or {}
        record.status, record.start_time = "Running", now()
        try:
            while not self._finished(steps):
                for name in order(steps):
                    if name in self.children:
                        continue
                    needed = upstream(steps[name])
                    if all(
                        self.children.get(dep) is not None and self.children[dep].status == "Completed"
                        for dep in needed
                    ):
                        self.children[name] = self._start(name, steps[name])
                time.sleep(POLL_SECONDS)
            self._conclude(steps)
        except AzureError as err:
            record.error, record.status = err.error(), "Failed"
        finally:
            record.end_time = now()

    def _finished(self, steps: dict[str, Any]) -> bool:
        if self.control.stop_requested.is_set():
            for child in self.children.values():
                if not child.done:
                    self.ml.jobs.runs.stop(child.key)
            return all(child.done for child in self.children.values())
        if any(child.done and child.status != "Completed" for child in self.children.values()):
            return all(child.done for child in self.children.values())
        return len(self.children) == len(steps) and all(child.done for child in self.children.values())

    def _conclude(self, steps: dict[str, Any]) -> None:
        record = self.record
        failed = [name for name, child in self.children.items() if child.status != "Completed"]
        if self.control.stop_requested.is_set():
            record.status = "Canceled"
        elif failed:
            child = self.children[failed[0]]
            reason = (child.error or {}).get("message", child.status)
            record.error = {"code": "UserError", "message": f"Pipeline step '{failed[0]}' failed: {reason}"}
            record.status = "Failed"
        else:
            for name, step in steps.items():
                for output, spec in (step.get("outputs") or {}).items():
                    bound = (
                        PARENT_OUTPUT.match(str(spec.get("value") or "")) if isinstance(spec, dict) else None
                    )
                    if bound and output in self.children[name].outputs:
                        record.outputs[bound.group("name")] = self.children[name].outputs[output]
            record.status = "Completed"

    def _start(self, name: str, step: dict[str, Any]) -> JobRecord:
        from azure_ai_services.emulator.azure_ml.execution import CommandRun

        parent = self.record
        spec = component_spec(self.ml, parent.scope, name, step)
        inputs = self._inputs(name, step, spec)
        properties = {
            "jobType": "Command",
            "command": spec["command"],
            "codeId": str(spec.get("code") or "").removeprefix("azureml:") or None,
            "environmentId": str(spec.get("environment") or ""),
            "environmentVariables": spec.get("environment_variables") or {},
            "inputs": inputs,
            "outputs": {output: {"jobOutputType": "uri_folder"} for output in spec.get("outputs") or {}},
            "computeId": step.get("computeId") or parent.properties.get("computeId"),
            "experimentName": parent.properties.get("experimentName") or "Default",
            "displayName": name,
            "properties": {PARENT_PROPERTY: parent.name, "azureml.nodeid": name},
            "tags": {},
        }
        child = JobRecord(parent.scope, f"{parent.name}_{name}", properties, tracking_uri=parent.tracking_uri)
        self.ml.jobs.add(child)
        self.ml.jobs.runs.submit(
            child.key, "azureml", lambda control: CommandRun(self.ml, child, control).run()
        )
        return child

    def _inputs(self, name: str, step: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        parent_inputs: dict[str, Any] = self.record.properties.get("inputs") or {}
        resolved: dict[str, Any] = {}
        for input_name, declared in (spec.get("inputs") or {}).items():
            bound = (step.get("inputs") or {}).get(input_name)
            if bound is None:
                if isinstance(declared, dict) and declared.get("default") is not None:
                    resolved[input_name] = {"jobInputType": "literal", "value": str(declared["default"])}
                elif not (isinstance(declared, dict) and declared.get("optional")):
                    raise AzureError(
                        400, "UserError", f"step '{name}' does not bind its required input '{input_name}'."
                    )
                continue
            kind = str(_field(bound, "jobInputType") or "literal").lower()
            value = str(_field(bound, "value") or "")
            reference = REFERENCE.match(value) if kind == "literal" else None
            if reference is None:
                resolved[input_name] = {"jobInputType": kind, "uri": _field(bound, "uri"), "value": value}
            elif reference.group("input"):
                upper = parent_inputs.get(reference.group("input"))
                if upper is None:
                    raise AzureError(
                        400,
                        "UserError",
                        f"step '{name}' reads pipeline input '{reference.group('input')}', which was not "
                        "given.",
                    )
                resolved[input_name] = upper
            else:
                producer = self.children[reference.group("job")]
                uri = producer.outputs.get(reference.group("output"))
                if uri is None:
                    raise AzureError(
                        400,
                        "UserError",
                        f"step '{name}' reads output '{reference.group('output')}' that step "
                        f"'{reference.group('job')}' does not have.",
                    )
                resolved[input_name] = {"jobInputType": "uri_folder", "uri": uri}
        return resolved
