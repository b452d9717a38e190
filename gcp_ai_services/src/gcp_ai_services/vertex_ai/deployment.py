"""VertexDeployer: register models (versions, aliases), serve them on endpoints with a traffic split, predict.

Models follow the prebuilt prediction images' conventions: ``artifact_uri`` is a Cloud Storage folder holding
``model.joblib``/``model.pkl`` (scikit-learn) or ``model.bst`` (XGBoost); a request is a list of instances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.settings import Settings, get_settings

from gcp_ai_services.errors import google_errors
from gcp_ai_services.session import vertex_sdk
from gcp_ai_services.vertex_ai.images import SKLEARN_PREDICTION_IMAGE


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PredictionResult:
    predictions: list[Any]
    deployed_model_id: str
    model_version: str


class VertexDeployer:
    """Model Registry and online prediction through ``google.cloud.aiplatform`` (imported on first use)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    def _sdk(self) -> Any:
        return vertex_sdk(self.settings)

    def upload(
        self,
        display_name: str,
        artifact_uri: str,
        *,
        serving_image: str = SKLEARN_PREDICTION_IMAGE,
        parent_model: str = "",
        aliases: Sequence[str] = (),
        make_default: bool = True,
    ) -> ModelVersion:
        """A new model, or a new version of ``parent_model`` (the default unless ``make_default=False``)."""
        aiplatform = self._sdk()
        with google_errors("vertex.upload_model"):
            model = aiplatform.Model.upload(
                display_name=display_name,
                artifact_uri=artifact_uri,
                serving_container_image_uri=serving_image,
                parent_model=parent_model or None,
                version_aliases=list(aliases) or None,
                is_default_version=make_default,
            )
            return ModelVersion(model.resource_name, str(model.version_id), tuple(model.version_aliases))

    def create_endpoint(self, display_name: str) -> str:
        aiplatform = self._sdk()
        with google_errors("vertex.create_endpoint"):
            return str(aiplatform.Endpoint.create(display_name=display_name).resource_name)

    def deploy(
        self,
        model: str,
        endpoint: str,
        *,
        traffic_percentage: int = 100,
        machine_type: str = "n1-standard-2",
    ) -> str:
        """Deploy ``model`` (``name`` or ``name@version``) taking ``traffic_percentage``; its deployed id."""
        aiplatform = self._sdk()
        name, _, version = model.partition("@")
        with google_errors("vertex.deploy"):
            target = aiplatform.Endpoint(endpoint)
            before = {d.id for d in target.list_models()}
            aiplatform.Model(name, version=version or None).deploy(
                endpoint=target, traffic_percentage=traffic_percentage, machine_type=machine_type
            )
            return str(next(d.id for d in target.list_models() if d.id not in before))

    def set_traffic(self, endpoint: str, split: Mapping[str, int]) -> dict[str, int]:
        """Send each deployed model (by id) its percentage; they must add up to 100."""
        aiplatform = self._sdk()
        with google_errors("vertex.set_traffic"):
            target = aiplatform.Endpoint(endpoint)
            target.update(traffic_split=dict(split))
            return dict(target.traffic_split)

    def predict(self, endpoint: str, instances: Sequence[Any]) -> PredictionResult:
        aiplatform = self._sdk()
        with google_errors("vertex.predict"):
            answer = aiplatform.Endpoint(endpoint).predict(instances=list(instances))
        return PredictionResult(
            list(answer.predictions), str(answer.deployed_model_id), str(answer.model_version_id)
        )

    def undeploy_all(self, endpoint: str) -> None:
        aiplatform = self._sdk()
        with google_errors("vertex.undeploy_all"):
            aiplatform.Endpoint(endpoint).undeploy_all()

    def delete_endpoint(self, endpoint: str, *, force: bool = True) -> None:
        """Delete ``endpoint``, first undeploying its models when ``force``."""
        aiplatform = self._sdk()
        with google_errors("vertex.delete_endpoint"):
            aiplatform.Endpoint(endpoint).delete(force=force)

    def delete_model(self, model: str) -> None:
        aiplatform = self._sdk()
        with google_errors("vertex.delete_model"):
            aiplatform.Model(model).delete()
