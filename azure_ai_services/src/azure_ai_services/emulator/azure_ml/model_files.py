"""A deployment's files from the workspace's blob store: the registered model's and the scoring code's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from multi_cloud.emulation.protocols.azure.errors import AzureError

from azure_ai_services.emulator.azure_ml.resources import Scope
from azure_ai_services.emulator.azure_ml.storage import download_prefix

if TYPE_CHECKING:  # pragma: no cover
    from azure_ai_services.emulator.azure_ml.workspace import AzureML


def versioned(asset_id: str, kind: str) -> tuple[str, str]:
    """(name, version) of ``.../{kind}/NAME/versions/V`` (or ``azureml:NAME:V``)."""
    if f"/{kind}/" in asset_id and "/versions/" in asset_id:
        name, _, version = asset_id.split(f"/{kind}/", 1)[1].partition("/versions/")
        return name, version.strip("/")
    parts = asset_id.removeprefix("azureml:").split(":")
    if len(parts) == 2:
        return parts[0], parts[1]
    raise AzureError(
        400, "BadArgument", f"'{asset_id}' is not a versioned {kind[:-1]} id (…/{kind}/NAME/versions/V)."
    )


def stage_model(ml: AzureML, scope: Scope, model_id: str, root: Path) -> Path:
    """Download the model into ``root/NAME/VERSION`` (``AZUREML_MODEL_DIR``), its folder or file name kept."""
    name, version = versioned(model_id, "models")
    model = ml.resources.find(scope, "models", name, version)
    if model is None:
        raise AzureError(
            404, "ResourceNotFound", f"Model '{name}:{version}' was not found in {scope.workspace}."
        )
    uri = str(model["properties"].get("modelUri") or "")
    container_name, prefix = ml.locate(uri, scope)
    model_dir = root / name / version
    container = ml.blobs.container(container_name)
    folder = prefix.strip("/") + "/"
    if any(True for _ in container.list_blobs(name_starts_with=folder)):
        count = download_prefix(container, folder, model_dir / Path(folder).name)
    else:  # one file: AZUREML_MODEL_DIR/<file name>
        count = download_prefix(container, prefix, model_dir)
    if count == 0:
        raise AzureError(400, "BadArgument", f"Model '{name}:{version}' holds no files at {uri}.")
    return model_dir


def stage_code(ml: AzureML, scope: Scope, code_id: str, target: Path) -> None:
    """Download a code asset's files into ``target``."""
    name, version = versioned(code_id, "codes")
    code = ml.resources.find(scope, "codes", name, version)
    if code is None:
        raise AzureError(
            404, "ResourceNotFound", f"Code '{name}:{version}' was not found in {scope.workspace}."
        )
    container_name, prefix = ml.locate(str(code["properties"].get("codeUri") or ""), scope)
    target.mkdir(parents=True, exist_ok=True)
    if download_prefix(ml.blobs.container(container_name), prefix, target) == 0:
        raise AzureError(400, "BadArgument", f"Code '{name}:{version}' holds no files.")
