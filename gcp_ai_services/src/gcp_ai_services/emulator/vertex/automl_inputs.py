"""What an AutoML training pipeline asks for, checked when it is created: the task, the dataset, the budget.

The budget in milli node hours becomes seconds of local search: ``seconds = milli_node_hours / 100``
(Vertex's 1,000 minimum, one node hour, searches for 10 s; image's 8,000 for 80 s). Early stopping (the
default) ends the search once every candidate has been scored, usually well within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multi_cloud.emulation.automl.tabular import CLASSIFICATION, OBJECTIVES, REGRESSION
from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.vertex.dataset_records import DatasetRecord
from gcp_ai_services.emulator.vertex.state import VertexState

DEFINITIONS = "gs://google-cloud-aiplatform/schema/trainingjob/definition/"
TABULAR = DEFINITIONS + "automl_tabular_1.0.0.yaml"
IMAGE_CLASSIFICATION = DEFINITIONS + "automl_image_classification_1.0.0.yaml"
TEXT_TASKS = tuple(
    DEFINITIONS + f"automl_text_{t}_1.0.0.yaml" for t in ("classification", "extraction", "sentiment")
)
NOT_EMULATED = (
    "automl_image_object_detection",
    "automl_image_segmentation",
    "automl_video_",
    "automl_forecasting",
    "seq2seq_plus_forecasting",
    "tft_forecasting",
    "tide_forecasting",
)
SECONDS_PER_MILLI_NODE_HOUR = 0.01
TABULAR_BUDGET = (1000, 72000)
IMAGE_BUDGETS = {
    "CLOUD": (8000, 800000),
    "MOBILE_TF_LOW_LATENCY_1": (1000, 100000),
    "MOBILE_TF_VERSATILE_1": (1000, 100000),
    "MOBILE_TF_HIGH_ACCURACY_1": (1000, 100000),
}
TEXT_RETIRED = (
    "AutoML text training is no longer available on Vertex AI: AutoML Text (classification, entity "
    "extraction, "
    "sentiment) is deprecated in favour of Gemini (see https://cloud.google.com/vertex-ai/docs/start/"
    "automl-gemini-comparison). Tune a Gemini model with supervised tuning, or train your own text model "
    "with "
    "a CustomTrainingJob."
)


@dataclass(frozen=True)
class AutoMLTask:
    """A checked AutoML request: ``kind`` is ``tabular`` or ``image``."""

    kind: str
    dataset: DatasetRecord
    inputs: dict[str, Any]
    budget_seconds: float
    early_stopping: bool
    data_config: dict[str, Any]


def is_automl(definition: str) -> bool:
    name = definition.rsplit("/", 1)[-1]
    return name.startswith(("automl_", "seq2seq_plus_", "tft_", "tide_"))


def check_automl(state: VertexState, parent: str, body: dict[str, Any]) -> AutoMLTask:
    """The task ``body`` (a TrainingPipeline) asks for, or the error Vertex answers at creation."""
    definition = str(body.get("trainingTaskDefinition", ""))
    if definition in TEXT_TASKS:
        raise GoogleError("FAILED_PRECONDITION", TEXT_RETIRED)
    if any(part in definition for part in NOT_EMULATED) or definition not in (TABULAR, IMAGE_CLASSIFICATION):
        raise GoogleError(
            "UNIMPLEMENTED",
            f"TrainingPipeline with training_task_definition {definition} is not emulated: the local "
            "Vertex AI "
            "runs AutoML tabular (classification, regression) and image classification.",
        )
    inputs = body.get("trainingTaskInputs") or {}
    dataset = _dataset(state, parent, body)
    config = dict(body.get("inputDataConfig") or {})
    if definition == TABULAR:
        return _tabular(dataset, inputs, config)
    return _image(dataset, inputs, config)


def _dataset(state: VertexState, parent: str, body: dict[str, Any]) -> DatasetRecord:
    config = body.get("inputDataConfig") or {}
    dataset_id = str(config.get("datasetId", ""))
    if not dataset_id:
        raise GoogleError("INVALID_ARGUMENT", "training_pipeline.input_data_config.dataset_id is required.")
    name = dataset_id if "/" in dataset_id else f"{parent}/datasets/{dataset_id}"
    with state.lock:
        dataset = state.datasets.get(name)
    if dataset is None:
        raise GoogleError("NOT_FOUND", f"Dataset {name} not found.")
    return dataset


def _budget(value: Any, bounds: tuple[int, int], member: str) -> float:
    try:
        budget = int(value) if value not in (None, "") else bounds[0]
    except (TypeError, ValueError) as exc:
        raise GoogleError("INVALID_ARGUMENT", f"{member} must be an integer, got {value!r}.") from exc
    if not bounds[0] <= budget <= bounds[1]:
        raise GoogleError(
            "INVALID_ARGUMENT", f"{member} must be between {bounds[0]:,} and {bounds[1]:,}, got {budget:,}."
        )
    return budget * SECONDS_PER_MILLI_NODE_HOUR


def _tabular(dataset: DatasetRecord, inputs: dict[str, Any], config: dict[str, Any]) -> AutoMLTask:
    if dataset.kind != "tabular":
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"AutoML tabular training needs a tabular dataset; {dataset.name} is {dataset.kind}.",
        )
    if not inputs.get("targetColumn"):
        raise GoogleError("INVALID_ARGUMENT", "training_task_inputs.targetColumn is required.")
    kind = str(inputs.get("predictionType", ""))
    if kind not in (CLASSIFICATION, REGRESSION):
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"training_task_inputs.predictionType must be classification or regression, got {kind!r}.",
        )
    objective = str(inputs.get("optimizationObjective") or "")
    if objective and objective not in OBJECTIVES[kind]:
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"optimizationObjective {objective!r} is not valid for {kind}: use one of "
            f"{sorted(OBJECTIVES[kind])}.",
        )
    if inputs.get("weightColumnName"):
        raise GoogleError(
            "UNIMPLEMENTED", "Row weights (weightColumnName) are not emulated by the local AutoML."
        )
    if inputs.get("exportEvaluatedDataItemsConfig"):
        raise GoogleError(
            "UNIMPLEMENTED",
            "exportEvaluatedDataItemsConfig writes to BigQuery, which the local cloud does not have.",
        )
    seconds = _budget(inputs.get("trainBudgetMilliNodeHours"), TABULAR_BUDGET, "trainBudgetMilliNodeHours")
    return AutoMLTask("tabular", dataset, inputs, seconds, not inputs.get("disableEarlyStopping"), config)


def _image(dataset: DatasetRecord, inputs: dict[str, Any], config: dict[str, Any]) -> AutoMLTask:
    if dataset.kind != "image":
        raise GoogleError(
            "INVALID_ARGUMENT",
            f"AutoML image training needs an image dataset; {dataset.name} is {dataset.kind}.",
        )
    if inputs.get("multiLabel"):
        raise GoogleError(
            "UNIMPLEMENTED", "Multi-label AutoML image classification is not emulated; use multi_label=False."
        )
    model_type = str(inputs.get("modelType") or "CLOUD")
    if model_type not in IMAGE_BUDGETS:
        raise GoogleError(
            "INVALID_ARGUMENT", f"modelType {model_type!r} is not one of {sorted(IMAGE_BUDGETS)}."
        )
    seconds = _budget(inputs.get("budgetMilliNodeHours"), IMAGE_BUDGETS[model_type], "budgetMilliNodeHours")
    return AutoMLTask("image", dataset, inputs, seconds, not inputs.get("disableEarlyStopping"), config)
