"""AutoML training pipelines run in the server: load the dataset, split it, search models within the budget,
evaluate the winner on the test split, register it as a Model with its evaluation.

The winner is saved as the prebuilt serving images load models (``model.joblib``, a scikit-learn pipeline)
plus ``automl.json`` (how to read AutoML instances), under the server's work folder: Vertex keeps AutoML
models in Google's storage, not in yours.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import CloudError
from multi_cloud.emulation.automl.search import SearchResult
from multi_cloud.emulation.jobs.store import BackgroundJob
from multi_cloud.emulation.protocols.google.errors import CANONICAL, GoogleError, error_from_cloud_error
from multi_cloud.emulation.serving.vertex_automl import load_automl_model
from multi_cloud.emulation.serving.vertex_prebuilt import PredictionError

from gcp_ai_services.emulator.gcs_objects import read_object
from gcp_ai_services.emulator.vertex import automl_data, evaluation_metrics
from gcp_ai_services.emulator.vertex.automl_inputs import SECONDS_PER_MILLI_NODE_HOUR, AutoMLTask
from gcp_ai_services.emulator.vertex.automl_models import remember
from gcp_ai_services.emulator.vertex.image_features import image_features
from gcp_ai_services.emulator.vertex.job_records import JobRecord
from gcp_ai_services.emulator.vertex.model_registry import upload_model
from gcp_ai_services.emulator.vertex.resources import new_id, now
from gcp_ai_services.emulator.vertex.state import JOBS, VertexState

log = logging.getLogger("multi_cloud.emulation")
PLACEHOLDER_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest"
MAX_IMAGE_BYTES = 30 * 1024 * 1024


def start_automl(state: VertexState, record: JobRecord, task: AutoMLTask) -> None:
    JOBS.submit(record.name, state.scope, lambda job: _run(state, record, task, job))


def _run(state: VertexState, pipeline: JobRecord, task: AutoMLTask, job: BackgroundJob) -> None:
    if not pipeline.move("RUNNING"):
        return
    started = time.monotonic()
    try:
        trained = _train_tabular(task) if task.kind == "tabular" else _train_image(task)
        if job.cancelled.is_set() or pipeline.done:
            return
        _register(state, pipeline, task, trained, time.monotonic() - started)
    except GoogleError as err:
        pipeline.move("FAILED", err.rpc_status())
    except CloudError as exc:  # an engine's own error (a missing extra names its install command)
        pipeline.move("FAILED", error_from_cloud_error(exc).rpc_status())
    except Exception as exc:  # noqa: BLE001 - the pipeline ends FAILED/INTERNAL, the server goes on
        log.exception("the local Vertex AI failed running an AutoML pipeline")
        pipeline.move(
            "FAILED",
            {
                "code": CANONICAL["INTERNAL"][0],
                "message": f"the local cloud failed: {type(exc).__name__}: {exc}",
            },
        )
    else:
        pipeline.move("SUCCEEDED")


class Trained:
    """A search's winner, its evaluation and what serving needs to know."""

    def __init__(
        self, result: SearchResult, spec: dict[str, Any], metrics: dict[str, Any], schema: str
    ) -> None:
        self.result, self.spec, self.metrics, self.schema = result, spec, metrics, schema


def _train_tabular(task: AutoMLTask) -> Trained:
    import numpy as np
    from multi_cloud.emulation.automl.tabular import CLASSIFICATION, search_tabular, to_features

    table = automl_data.tabular_table(task)
    result = search_tabular(
        table.train, table.problem, budget_seconds=task.budget_seconds, early_stopping=task.early_stopping
    )
    features = to_features(table.test, table.problem.column_types)
    truth = table.test[table.problem.target]
    spec: dict[str, Any] = {
        "kind": "tabular",
        "predictionType": table.problem.prediction_type,
        "targetColumn": table.problem.target,
        "columnTypes": table.problem.column_types,
        "objective": table.problem.objective,
    }
    if table.problem.prediction_type == CLASSIFICATION:
        classes = [str(c) for c in result.model.classes_]
        spec_ids = {c: new_id() for c in classes}
        metrics = evaluation_metrics.classification_metrics(
            [str(t) for t in truth], result.model.predict_proba(features), classes, spec_ids
        )
        return Trained(result, spec, metrics, evaluation_metrics.CLASSIFICATION_SCHEMA)
    predicted = result.model.predict(features)
    residuals = np.asarray(truth, dtype=float) - predicted
    spec["residualQuantiles"] = [float(np.quantile(residuals, 0.05)), float(np.quantile(residuals, 0.95))]
    metrics = evaluation_metrics.regression_metrics(list(truth), list(predicted))
    return Trained(result, spec, metrics, evaluation_metrics.REGRESSION_SCHEMA)


def _train_image(task: AutoMLTask) -> Trained:
    from multi_cloud.emulation.automl.images import search_images

    split = automl_data.image_split(task)

    def features(uris: list[str]) -> Any:
        try:
            return image_features([read_object(uri, MAX_IMAGE_BYTES) for uri in uris])
        except ValueError as exc:
            raise GoogleError("INVALID_ARGUMENT", f"{exc} (images {uris[:3]}…)") from exc

    result = search_images(
        features(split.train_uris),
        split.train_labels,
        budget_seconds=task.budget_seconds,
        early_stopping=task.early_stopping,
    )
    classes = [str(c) for c in result.model.classes_]
    spec_ids = {c: new_id() for c in classes}
    scores = result.model.predict_proba(features(split.test_uris))
    metrics = evaluation_metrics.classification_metrics(split.test_labels, scores, classes, spec_ids)
    spec = {"kind": "image", "predictionType": "classification", "annotationSpecIds": spec_ids}
    return Trained(result, spec, metrics, evaluation_metrics.CLASSIFICATION_SCHEMA)


def _register(
    state: VertexState, pipeline: JobRecord, task: AutoMLTask, trained: Trained, seconds: float
) -> None:
    import joblib

    parent = pipeline.name.split("/trainingPipelines/")[0]
    folder = state.work_root / "automl" / pipeline.name.rsplit("/", 1)[-1]
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(trained.result.model, folder / "model.joblib")
    (folder / "automl.json").write_text(json.dumps(trained.spec))
    served = _load(folder)
    wanted = dict(pipeline.body.get("modelToUpload") or {"displayName": pipeline.body.get("displayName", "")})
    wanted.setdefault("displayName", pipeline.body.get("displayName", ""))
    record = upload_model(
        state,
        parent,
        {
            "model": {**wanted, "containerSpec": {"imageUri": PLACEHOLDER_IMAGE}},
            "modelId": pipeline.body.get("modelId", ""),
            "parentModel": pipeline.body.get("parentModel", ""),
        },
    )
    version = record.latest
    with state.lock:
        body = record.versions[version]
        body.pop("containerSpec", None)  # AutoML models run on Vertex's own servers
        body["trainingPipeline"] = pipeline.name
        body["supportedDeploymentResourcesTypes"] = ["DEDICATED_RESOURCES", "AUTOMATIC_RESOURCES"]
    remember(record.name, version, served)
    evaluation_name = f"{record.name}/evaluations/{new_id()}"
    evaluation = {
        "name": evaluation_name,
        "displayName": f"{wanted['displayName']}-evaluation",
        "metricsSchemaUri": trained.schema,
        "metrics": trained.metrics,
        "createTime": now(),
        "sliceDimensions": ["annotationSpec"]
        if trained.schema == evaluation_metrics.CLASSIFICATION_SCHEMA
        else [],
        "metadata": {"pipeline_job_resource_name": pipeline.name, "evaluation_dataset_type": "test"},
    }
    with state.lock:
        state.evaluations[f"{record.name}@{version}"] = [evaluation]
    cost = max(1, round(seconds / SECONDS_PER_MILLI_NODE_HOUR))
    pipeline.extra["trainingTaskMetadata"] = {
        "trainCostMilliNodeHours": str(cost) if task.kind == "tabular" else None,
        "costMilliNodeHours": str(cost) if task.kind == "image" else None,
        "successfulStopReason": "BUDGET_REACHED" if trained.result.stopped_by_budget else "MODEL_CONVERGED",
        "localSearch": {"best": trained.result.leaderboard()[0], "trials": trained.result.leaderboard()},
    }
    pipeline.extra["trainingTaskMetadata"] = {
        k: v for k, v in pipeline.extra["trainingTaskMetadata"].items() if v is not None
    }
    pipeline.extra["modelToUpload"] = record.to_json(version)
    pipeline.extra["modelId"] = record.name.rsplit("/", 1)[-1]


def _load(folder: Path) -> Any:
    try:
        return load_automl_model(folder, image_features)
    except PredictionError as err:
        raise GoogleError("INTERNAL", f"the trained model could not be loaded back: {err.message}") from err
