"""Serve deployed models: endpoint records under a root, one cached runtime (ONNX session) per endpoint."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import AlreadyExists, NotFound
from multi_cloud.core.types import Endpoint, Prediction
from multi_cloud.onprem.artifact_loader import ArtifactLoader
from multi_cloud.onprem.model_runtime import ModelRuntime, Runtime, open_runtime, to_matrix
from multi_cloud.onprem.onnx_export import ONNX_FILENAME
from multi_cloud.onprem.records import JsonStore, check_name, parse_datetimes, to_record


@dataclass(frozen=True)
class ServedEndpoint(Endpoint):
    """An :class:`Endpoint` that also says how it serves: ``runtime`` is "onnxruntime" or "sklearn"."""

    runtime: Runtime = "onnxruntime"
    n_features: int = 0
    fallback_reason: str = ""  # why ONNX was not used, when runtime == "sklearn"
    created: datetime | None = None


class EndpointHost:
    """Deploys artifacts as endpoints and answers predictions from them."""

    def __init__(self, provider: str, root: Path, loader: ArtifactLoader) -> None:
        self.provider = provider
        self.root = root
        self.loader = loader
        self.records = JsonStore(root / "endpoints")
        self.files = root / "endpoint-files"
        self._runtimes: dict[str, ModelRuntime] = {}
        self._lock = threading.Lock()

    def deploy(self, artifact_uri: str, endpoint_name: str, *, model_name: str) -> ServedEndpoint:
        check_name("endpoint", endpoint_name)
        if self.records.load(endpoint_name) is not None:
            raise AlreadyExists(
                f"endpoint {endpoint_name!r} already exists; delete_endpoint({endpoint_name!r}) first or "
                "choose another name",
                provider=self.provider,
                operation="models.deploy",
            )
        folder = self.files / endpoint_name
        try:
            loaded = self.loader.load(artifact_uri, folder / "model")
            built = self.loader.runtime(loaded)
        except Exception:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if built.onnx_bytes is not None:
            (folder / ONNX_FILENAME).write_bytes(built.onnx_bytes)
        endpoint = ServedEndpoint(
            name=endpoint_name,
            status="InService",
            provider=self.provider,
            model_name=model_name,
            model_artifact=artifact_uri,
            instance_type="local",
            url=folder.resolve().as_uri(),
            runtime=built.runtime.runtime,
            n_features=loaded.n_features,
            fallback_reason=built.fallback_reason,
            created=datetime.now(timezone.utc),
        )
        with self._lock:
            self.records.save(endpoint_name, to_record(endpoint))
            self._runtimes[endpoint_name] = built.runtime
        return endpoint

    def get(self, endpoint_name: str, *, operation: str = "models.get_endpoint") -> ServedEndpoint:
        record = self.records.load(endpoint_name)
        if record is None:
            known = ", ".join(self.records.names()) or "none"
            raise NotFound(
                f"no endpoint named {endpoint_name!r} (endpoints: {known}); deploy a model to it first",
                provider=self.provider,
                operation=operation,
            )
        return ServedEndpoint(**parse_datetimes(record, ["created"]))

    def list(self) -> list[ServedEndpoint]:
        return [self.get(name) for name in self.records.names()]

    def delete(self, endpoint_name: str) -> None:
        self.get(endpoint_name, operation="models.delete_endpoint")
        with self._lock:
            self._runtimes.pop(endpoint_name, None)
            self.records.delete(endpoint_name)
        shutil.rmtree(self.files / endpoint_name, ignore_errors=True)

    def runtime(self, endpoint: ServedEndpoint) -> ModelRuntime:
        """The cached runtime, reopened from disk when another provider instance deployed the endpoint."""
        with self._lock:
            cached = self._runtimes.get(endpoint.name)
            if cached is None:
                folder = self.files / endpoint.name
                cached = open_runtime(
                    folder / "model", folder / ONNX_FILENAME, endpoint.n_features, endpoint.runtime
                )
                self._runtimes[endpoint.name] = cached
            return cached

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]] | Any) -> Prediction:
        endpoint = self.get(endpoint_name, operation="models.predict")
        runtime = self.runtime(endpoint)
        matrix = to_matrix(instances, endpoint.n_features)
        started = time.perf_counter()
        values, probabilities = runtime.predict(matrix)
        latency_ms = (time.perf_counter() - started) * 1000
        return Prediction(
            values=values,
            model=endpoint.model_name,
            provider=self.provider,
            probabilities=probabilities,
            latency_ms=latency_ms,
        )
