"""What every AutoML lesson shares: reading a model's evaluation, deploying it, predicting, cleaning up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import vertex_sdk


@dataclass(frozen=True)
class TrainedModel:
    """An AutoML pipeline's result: the registered model and what its search tried."""

    model: str
    version: str
    pipeline: str
    state: str
    trials: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Evaluation:
    """A model evaluation: ``metrics`` follow ``schema_uri`` (classification or regression metrics)."""

    name: str
    schema_uri: str
    metrics: dict[str, Any]


class AutoMLBase:
    """``google.cloud.aiplatform`` (imported on first use) for the steps after training."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def _sdk(self) -> Any:
        return vertex_sdk(self.settings)

    def evaluation(self, model: str) -> Evaluation:
        """The model's evaluation on its test split, as ``Model.get_model_evaluation()`` reads it."""
        aiplatform = self._sdk()
        with google_errors("vertex.get_model_evaluation"):
            found = aiplatform.Model(model).get_model_evaluation()
            return Evaluation(
                found.resource_name, str(found.gca_resource.metrics_schema_uri), dict(found.metrics)
            )

    def deploy(self, model: str, *, machine_type: str = "n1-standard-4") -> str:
        """A new endpoint serving ``model``; its resource name."""
        aiplatform = self._sdk()
        with google_errors("vertex.deploy"):
            return str(aiplatform.Model(model).deploy(machine_type=machine_type).resource_name)

    def predict(
        self, endpoint: str, instances: Sequence[Any], parameters: dict[str, Any] | None = None
    ) -> list[Any]:
        aiplatform = self._sdk()
        with google_errors("vertex.predict"):
            return list(
                aiplatform.Endpoint(endpoint)
                .predict(instances=list(instances), parameters=parameters)
                .predictions
            )

    def delete(self, *, endpoint: str = "", model: str = "", dataset: str = "") -> None:
        """Undeploy and delete the endpoint, then the model, then the dataset (each when given)."""
        aiplatform = self._sdk()
        with google_errors("vertex.delete"):
            if endpoint:
                aiplatform.Endpoint(endpoint).delete(force=True)
            if model:
                aiplatform.Model(model).delete()
            if dataset:
                aiplatform.datasets._Dataset(dataset).delete()


def trained_model(job: Any, model: Any) -> TrainedModel:
    """What a finished AutoML training job reports (``localSearch`` only where the local cloud ran it)."""
    metadata = dict(job.gca_resource.training_task_metadata or {})
    trials = tuple(dict(t) for t in (metadata.get("localSearch") or {}).get("trials", []))
    return TrainedModel(
        str(model.resource_name), str(model.version_id), str(job.resource_name), job.state.name, trials
    )
