"""Sweep jobs: trials sampled from the search space run as child command jobs; the best child is recorded."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml.jobs import JobRecord, now
from azure_ai_services.emulator.azure_ml.search_space import trials

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.jobs.store import BackgroundJob

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

SEARCH_SPACE_BINDING = re.compile(r"\$\{\{\s*search_space\.(?P<name>[\w-]+)\s*\}\}")
PARENT_PROPERTY = "azureml.parentrunid"
POLL_SECONDS = 0.5


def check_sweep(properties: dict[str, Any]) -> None:
    """400 for a sweep the service would refuse (no trial command, no objective, no trial limit)."""
    trial = properties.get("trial") or {}
    if not trial.get("command"):
        raise AzureError(400, "UserError", "A sweep job needs trial.command (the command job to repeat).")
    objective = properties.get("objective") or {}
    if not objective.get("primaryMetric") or str(objective.get("goal", "")).lower() not in (
        "maximize",
        "minimize",
    ):
        raise AzureError(
            400,
            "UserError",
            "A sweep job needs objective.primaryMetric and objective.goal (Maximize or Minimize).",
        )
    limits = properties.get("limits") or {}
    if int(limits.get("maxTotalTrials") or 0) < 1:
        raise AzureError(
            400, "UserError", "A sweep job needs limits.maxTotalTrials >= 1 (sweep.set_limits(...))."
        )
    list(trials(properties.get("searchSpace") or {}, properties.get("samplingAlgorithm") or {}, 1))


class SweepRun:
    """Runs a sweep's trials (at most ``maxConcurrentTrials`` at once) and picks the best by the objective."""

    def __init__(self, ml: AzureML, record: JobRecord, control: BackgroundJob) -> None:
        self.ml = ml
        self.record = record
        self.control = control

    def run(self) -> None:
        record = self.record
        properties = record.properties
        limits = properties.get("limits") or {}
        total = int(limits.get("maxTotalTrials") or 1)
        concurrent = max(1, int(limits.get("maxConcurrentTrials") or total))
        record.status, record.start_time = "Running", now()
        children: list[JobRecord] = []
        running: list[JobRecord] = []
        try:
            samples = trials(
                properties.get("searchSpace") or {}, properties.get("samplingAlgorithm") or {}, total
            )
            for index, hyperparameters in enumerate(samples):
                while len(running) >= concurrent and not self.control.stop_requested.is_set():
                    time.sleep(POLL_SECONDS)
                    running = [child for child in running if not child.done]
                if self.control.stop_requested.is_set():
                    break
                child = self._start_trial(index, hyperparameters)
                children.append(child)
                running.append(child)
            while any(not child.done for child in children):
                if self.control.stop_requested.is_set():
                    for child in children:
                        if not child.done:
                            self.ml.jobs.runs.stop(child.key)
                time.sleep(POLL_SECONDS)
            self._finish(children)
        except AzureError as err:
            record.error, record.status = err.error(), "Failed"
        finally:
            record.end_time = now()

    def _start_trial(self, index: int, hyperparameters: dict[str, Any]) -> JobRecord:
        from azure_ai_services.emulator.azure_ml.execution import CommandRun

        parent = self.record
        trial = parent.properties.get("trial") or {}
        inputs = dict(parent.properties.get("inputs") or {})
        for name, value in hyperparameters.items():
            inputs[name] = {"jobInputType": "literal", "value": str(value)}
        command = SEARCH_SPACE_BINDING.sub(
            lambda m: "${{inputs." + m.group("name") + "}}", str(trial["command"])
        )
        properties = {
            "jobType": "Command",
            "command": command,
            "codeId": trial.get("codeId"),
            "environmentId": trial.get("environmentId"),
            "environmentVariables": trial.get("environmentVariables") or {},
            "inputs": inputs,
            "outputs": dict(parent.properties.get("outputs") or {}),
            "computeId": parent.properties.get("computeId"),
            "experimentName": parent.properties.get("experimentName") or "Default",
            "displayName": f"{parent.name}_{index}",
            "properties": {PARENT_PROPERTY: parent.name, "hyperparameters": _json(hyperparameters)},
            "tags": {"hyperparameters": _json(hyperparameters)},
        }
        child = JobRecord(
            parent.scope, f"{parent.name}_{index}", properties, tracking_uri=parent.tracking_uri
        )
        child.params = {name: str(value) for name, value in hyperparameters.items()}
        self.ml.jobs.add(child)
        self.ml.jobs.runs.submit(
            child.key, "azureml", lambda control: CommandRun(self.ml, child, control).run()
        )
        return child

    def _finish(self, children: list[JobRecord]) -> None:
        record = self.record
        objective = record.properties.get("objective") or {}
        metric = str(objective.get("primaryMetric"))
        maximize = str(objective.get("goal", "")).lower() == "maximize"
        scored = [(score, child) for child in children if (score := final_metric(child, metric)) is not None]
        extra = dict(record.properties.get("properties") or {})
        extra["primary_metric_config"] = _json({"name": metric, "goal": objective.get("goal")})
        extra["azureml.trials"] = str(len(children))
        if self.control.stop_requested.is_set():
            record.status = "Canceled"
        elif not scored:
            completed = [child for child in children if child.status == "Completed"]
            reason = (
                f"no trial logged the primary metric '{metric}' (log it with "
                f"mlflow.log_metric('{metric}', value))"
                if completed
                else "every trial failed; see the trials' logs"
            )
            record.error, record.status = (
                {"code": "UserError", "message": f"The sweep failed: {reason}."},
                "Failed",
            )
        else:
            score, best = (max if maximize else min)(scored, key=lambda pair: pair[0])
            extra.update(
                {"best_child_run_id": best.name, "score": str(score), "best_metric_status": "Succeeded"}
            )
            record.status = "Completed"
        record.properties["properties"] = extra


def final_metric(record: JobRecord, metric: str) -> float | None:
    """The last value a completed trial logged for ``metric``."""
    if record.status != "Completed":
        return None
    values = [float(entry["value"]) for entry in record.metrics if entry["key"] == metric]
    return values[-1] if values else None


def _json(value: Any) -> str:
    import json

    return json.dumps(value)
