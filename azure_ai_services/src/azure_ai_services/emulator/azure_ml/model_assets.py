"""What the service checks when a model version is registered: MLflow models need their ``MLmodel`` file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml.resources import Scope

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.azure_ml.workspace import AzureML

MLFLOW = "mlflow_model"


def complete_model(ml: AzureML, scope: Scope, properties: dict[str, Any]) -> None:
    """Defaults as the service fills them; an MLflow model's flavors read from its ``MLmodel`` file."""
    properties["flavors"] = properties.get("flavors") or {}
    properties.setdefault("modelType", "custom_model")
    uri = str(properties.get("modelUri") or "")
    if not uri:
        raise AzureError(400, "UserError", "A model version needs properties.modelUri (the model's files).")
    if str(properties["modelType"]).lower() != MLFLOW:
        return
    container_name, prefix = ml.locate(uri, scope)
    container = ml.blobs.container(container_name)
    name = prefix.strip("/") + "/MLmodel"
    if not any(blob.name == name for blob in container.list_blobs(name_starts_with=name)):
        raise AzureError(
            400,
            "UserError",
            f"An mlflow_model must be a folder holding an MLmodel file; none at {uri}. Save it with "
            "mlflow.sklearn.save_model(model, path) (or log it from the job) and register that folder.",
        )
    import yaml

    spec = yaml.safe_load(container.download_blob(name).readall()) or {}
    flavors = spec.get("flavors") or {}
    properties["flavors"] = {
        flavor: {"data": {k: str(v) for k, v in (data or {}).items() if not isinstance(v, (dict, list))}}
        for flavor, data in flavors.items()
    }
