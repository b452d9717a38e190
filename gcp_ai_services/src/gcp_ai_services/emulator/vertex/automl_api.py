"""AutoML's REST surface: ``trainingPipelines`` with an AutoML task definition, and model evaluations.

Pipelines with any other definition (custom training) go on to :class:`TrainingAPI`; AutoML ones are
recorded with the other pipelines (get, list, cancel and delete work alike) and run by ``automl_run``.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes, json_body

from gcp_ai_services.emulator.vertex.automl_inputs import check_automl, is_automl
from gcp_ai_services.emulator.vertex.automl_run import start_automl
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.model_registry import find_model
from gcp_ai_services.emulator.vertex.resources import camel_keys, new_id, page, required
from gcp_ai_services.emulator.vertex.state import VertexState
from gcp_ai_services.emulator.vertex.training_api import TrainingAPI

PARENT = "{parent=projects/*/locations/*}"
MODEL = "{parent=projects/*/locations/*/models/*}"
EVALUATION = "{name=projects/*/locations/*/models/*/evaluations/*}"


class AutoMLAPI:
    def __init__(self, state: VertexState, training: TrainingAPI) -> None:
        self.state = state
        self.training = training

    def routes(self, version: str) -> GoogleRoutes:
        routes = GoogleRoutes()
        routes.add("POST", f"/{version}/{PARENT}/trainingPipelines", self.create_pipeline)
        routes.add("GET", f"/{version}/{MODEL}/evaluations", self.list_evaluations)
        routes.add("GET", f"/{version}/{EVALUATION}", self.get_evaluation)
        return routes

    def create_pipeline(self, request: Any, parent: str) -> dict[str, Any]:
        body = json_body(request)
        if not is_automl(str(body.get("trainingTaskDefinition", ""))):
            return self.training.create("trainingPipelines", request, parent)
        required(body, "displayName", "TrainingPipeline")
        body["trainingTaskInputs"] = camel_keys(body.get("trainingTaskInputs") or {})
        task = check_automl(self.state, parent, body)
        record = JobRecord(
            name=f"{parent}/trainingPipelines/{new_id()}", body=body, state_prefix="PIPELINE_STATE_"
        )
        with self.state.lock:
            self.state.pipelines[record.name] = record
        start_automl(self.state, record, task)
        return record.to_json()

    def list_evaluations(self, request: Any, parent: str) -> dict[str, Any]:
        return page(self._evaluations(parent), "modelEvaluations", request.args)

    def get_evaluation(self, request: Any, name: str) -> dict[str, Any]:
        model = name.split("/evaluations/")[0]
        wanted = name.rsplit("/", 1)[-1]
        for evaluation in self._evaluations(model):
            if evaluation["name"].rsplit("/", 1)[-1] == wanted:
                return evaluation
        raise GoogleError("NOT_FOUND", f"ModelEvaluation {name} not found.")

    def _evaluations(self, model: str) -> list[dict[str, Any]]:
        record, version = find_model(self.state, model)
        versions = [version] if "@" in model else list(record.versions)
        with self.state.lock:
            return [e for v in versions for e in self.state.evaluations.get(f"{record.name}@{v}", [])]
