"""Fetch, unpack and load a model artifact, and build its runtime (ONNX first, scikit-learn fallback)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import MissingDependency, NotFound, Unsupported
from multi_cloud.onprem.locations import ObjectLocations
from multi_cloud.onprem.model_artifacts import feature_count, load_estimator, unpack_artifact
from multi_cloud.onprem.model_runtime import ModelRuntime, OnnxRuntimeModel, SklearnModel
from multi_cloud.onprem.onnx_export import convert_to_onnx


@dataclass(frozen=True)
class LoadedArtifact:
    uri: str
    model_dir: Path
    model: Any
    n_features: int


@dataclass(frozen=True)
class BuiltRuntime:
    runtime: ModelRuntime
    onnx_bytes: bytes | None
    fallback_reason: str = ""


class ArtifactLoader:
    def __init__(self, locations: ObjectLocations) -> None:
        self.locations = locations

    def load(self, artifact_uri: str, dest: Path) -> LoadedArtifact:
        """Validate ``model.tar.gz`` at ``artifact_uri``, extract it into ``dest`` and load the estimator."""
        try:
            data = self.locations.read(artifact_uri)
        except NotFound as exc:
            raise NotFound(
                f"model artifact {artifact_uri} does not exist ({exc.message}); pass the model_artifact "
                "of a Completed training job or a registered model version",
                cause=exc,
            ) from exc
        shutil.rmtree(dest, ignore_errors=True)
        model_dir = unpack_artifact(data, artifact_uri, dest)
        model = load_estimator(model_dir, artifact_uri)
        return LoadedArtifact(artifact_uri, model_dir, model, feature_count(model, artifact_uri))

    def runtime(self, loaded: LoadedArtifact) -> BuiltRuntime:
        """An onnxruntime session when skl2onnx converts the model, else scikit-learn and the reason."""
        try:
            onnx_bytes = convert_to_onnx(loaded.model, loaded.n_features)
            return BuiltRuntime(OnnxRuntimeModel(onnx_bytes, loaded.n_features), onnx_bytes)
        except (Unsupported, MissingDependency) as exc:
            reason = exc.message
        except Exception as exc:  # noqa: BLE001 - onnxruntime rejecting a converted graph: still servable
            reason = f"onnxruntime could not load the converted graph: {type(exc).__name__}: {exc}"
        return BuiltRuntime(SklearnModel(loaded.model, loaded.n_features), None, reason)
