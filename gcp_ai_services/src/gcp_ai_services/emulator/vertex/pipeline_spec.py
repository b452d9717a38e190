"""A KFP v2 pipeline spec (``PipelineSpec`` IR) checked and ordered: DAGs of lightweight Python components.

A lightweight component (``@dsl.component`` on a function) embeds its source in the executor's command and
runs ``python3 -m kfp.dsl.executor_main``; the emulator runs exactly that with this interpreter, and
``dsl.importer`` tasks, which run nothing. ``dsl.If`` branches and sub-pipelines are nested DAGs run in their
inputs' scope. Any other container and ``dsl.ParallelFor`` loops are FAILED_PRECONDITION."""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

EXECUTOR_MAIN = "kfp.dsl.executor_main"
_QUOTED = re.compile(r"'([^']+)'")
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
_ALWAYS_THERE = frozenset({"kfp", "typing-extensions"})


@dataclass(frozen=True)
class PythonTask:
    """One task of the DAG with what it takes to run it."""

    name: str
    spec: dict[str, Any]
    component: dict[str, Any]
    source: str
    args: tuple[str, ...]
    image: str
    #: ``dsl.importer``'s executor (``artifactUri``, ``typeSchema``, ``metadata``): no process, an artifact
    importer: dict[str, Any] | None = None
    #: a nested DAG (a ``dsl.If`` branch or a sub-pipeline): its tasks run in the inputs' scope
    dag: dict[str, Any] | None = None

    @property
    def condition(self) -> str:
        """The CEL ``triggerPolicy.condition`` (``dsl.If``), empty when the task always runs."""
        return str((self.spec.get("triggerPolicy") or {}).get("condition", ""))

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(str(t) for t in self.spec.get("dependentTasks", []))


def _invalid(message: str) -> GoogleError:
    return GoogleError("INVALID_ARGUMENT", f"Invalid pipeline_spec: {message}")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"{where} must be an object.")
    return value


def ordered_tasks(spec: Any, dag: dict[str, Any] | None = None, where: str = "root.dag") -> list[PythonTask]:
    """A DAG's tasks (the root's by default) in an order that runs every task after those it depends on.

    Nested DAGs (``dsl.If`` branches, sub-pipelines) are checked too; each becomes one task with ``dag``.
    """
    spec = _mapping(spec, "pipeline_spec")
    components = _mapping(spec.get("components", {}), "components")
    executors = _mapping(
        _mapping(spec.get("deploymentSpec", {}), "deploymentSpec").get("executors", {}), "executors"
    )
    if dag is None:
        dag = _mapping(_mapping(spec.get("root"), "root").get("dag"), "root.dag")
    tasks = _mapping(dag.get("tasks"), f"{where}.tasks")
    if not tasks:
        raise _invalid(f"{where}.tasks is empty.")
    found = {
        name: _python_task(name, _mapping(task, f"task {name}"), components, executors)
        for name, task in tasks.items()
    }
    for task in found.values():
        for needed in task.depends_on + _producers(task.spec):
            if needed not in found:
                raise _invalid(f"task {task.name} depends on {needed}, which is not a task of {where}.")
        if task.dag is not None:
            ordered_tasks(spec, task.dag, f"{where}.{task.name}")
    return _topological(found)


def _python_task(
    name: str, task: dict[str, Any], components: dict[str, Any], executors: dict[str, Any]
) -> PythonTask:
    ref = str(_mapping(task.get("componentRef"), f"task {name}.componentRef").get("name", ""))
    component = components.get(ref)
    if not isinstance(component, dict):
        raise _invalid(f"task {name} refers to component {ref!r}, which components does not define.")
    if "parameterIterator" in task or "artifactIterator" in task:
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"Task {name} is a dsl.ParallelFor loop: the local emulator does not run loops; unroll it or use "
            "real Vertex AI Pipelines.",
        )
    if "dag" in component:
        return PythonTask(name, task, component, "", (), "", dag=_mapping(component["dag"], f"{ref}.dag"))
    label = str(component.get("executorLabel", ""))
    executor = executors.get(label)
    if not isinstance(executor, dict):
        raise _invalid(f"component {ref} names executor {label!r}, which deploymentSpec.executors lacks.")
    if isinstance(executor.get("importer"), dict):
        return PythonTask(name, task, component, "", (), "", importer=executor["importer"])
    container = executor.get("container")
    if not isinstance(container, dict):
        kind = next(iter(executor), "unknown")
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"Task {name} uses a {kind} executor: the local emulator runs lightweight Python components "
            "only.",
        )
    image = str(container.get("image", ""))
    command = [str(c) for c in container.get("command", [])]
    at = next((i for i, part in enumerate(command) if EXECUTOR_MAIN in part), -1)
    if at < 0 or at + 1 >= len(command) or "def " not in command[at + 1]:
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"Task {name} runs the container image {image}, which the local emulator cannot run: it runs "
            "lightweight Python components (@dsl.component functions) with this machine's Python.",
        )
    _check_packages(name, command[:at])
    return PythonTask(
        name, task, component, command[at + 1], tuple(str(a) for a in container.get("args", [])), image
    )


def _check_packages(task: str, install_script: list[str]) -> None:
    """FAILED_PRECONDITION naming ``packages_to_install`` that this Python lacks (nothing is installed)."""
    text = " ".join(install_script)
    if "pip install" not in text:
        return
    missing = []
    for token in _QUOTED.findall(text.split("pip install", 1)[1]):
        match = _REQUIREMENT_NAME.match(token)
        if token.startswith("-") or match is None or match.group(0).lower() in _ALWAYS_THERE:
            continue
        try:
            importlib.metadata.version(match.group(0))
        except importlib.metadata.PackageNotFoundError:
            missing.append(token)
    if missing:
        raise GoogleError(
            "FAILED_PRECONDITION",
            f"Task {task} asks for packages_to_install {missing}, which the local cloud's Python lacks: the "
            "emulator installs nothing; pip install them into the environment that runs the local cloud.",
        )


def _producers(task: dict[str, Any]) -> tuple[str, ...]:
    inputs = task.get("inputs") or {}
    names = [
        str(source[key]["producerTask"])
        for kind in ("parameters", "artifacts")
        for source in (inputs.get(kind) or {}).values()
        for key in ("taskOutputParameter", "taskOutputArtifact")
        if isinstance(source, dict) and isinstance(source.get(key), dict)
    ]
    return tuple(names)


def _topological(tasks: dict[str, PythonTask]) -> list[PythonTask]:
    ordered: list[PythonTask] = []
    placed: set[str] = set()
    while len(ordered) < len(tasks):
        ready = [
            t
            for name, t in tasks.items()
            if name not in placed and set(t.depends_on + _producers(t.spec)) <= placed
        ]
        if not ready:
            cycle = sorted(set(tasks) - placed)
            raise _invalid(f"the tasks {cycle} depend on each other in a cycle.")
        ordered += ready
        placed |= {t.name for t in ready}
    return ordered


def pipeline_parameters(spec: dict[str, Any], given: Any) -> dict[str, Any]:
    """The pipeline's parameter values: ``runtimeConfig.parameterValues`` over the declared defaults."""
    declared = _mapping(
        ((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {},
        "root.inputDefinitions",
    )
    values = _mapping(given or {}, "runtime_config.parameter_values")
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"runtime_config.parameter_values names {unknown}, which the pipeline does not declare "
            f"(its parameters: {sorted(declared)}).",
        )
    resolved: dict[str, Any] = {}
    for name, definition in declared.items():
        if name in values:
            resolved[name] = coerce(values[name], definition.get("parameterType", ""))
        elif "defaultValue" in definition:
            resolved[name] = coerce(definition["defaultValue"], definition.get("parameterType", ""))
        elif not definition.get("isOptional"):
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"The pipeline parameter {name} has no default: pass it in parameter_values.",
            )
    return resolved


def coerce(value: Any, parameter_type: str) -> Any:
    """A JSON value as the declared KFP parameter type (integers arrive as JSON numbers)."""
    if parameter_type == "NUMBER_INTEGER" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
