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

from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.types import Endpoint, EndpointState, Prediction
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


@dataclass(frozen=True)
class ServedModel:
    stamp: int  # mtime_ns of the endpoint record this was loaded from
    endpoint: ServedEndpoint
    runtime: ModelRuntime


class EndpointHost:
    """Deploys artifacts as endpoints and answers predictions from them."""

    def __init__(self, provider: str, root: Path, loader: ArtifactLoader) -> None:
        self.provider = provider
        self.root = root
        self.loader = loader
        self.records = JsonStore(root / "endpoints")
        self.files = root / "endpoint-files"
        self._served: dict[str, ServedModel] = {}
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
            state=EndpointState.READY,
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
            self._served[endpoint_name] = ServedModel(
                self._stamp(endpoint_name) or 0, endpoint, built.runtime
            )
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
            self._served.pop(endpoint_name, None)
            self.records.delete(endpoint_name)
        shutil.rmtree(self.files / endpoint_name, ignore_errors=True)

    def served(self, endpoint_name: str, *, operation: str = "models.predict") -> ServedModel:
        """The endpoint and its runtime, cached while its record is unchanged on disk.

        The cache key is the record's mtime, so an endpoint deleted or redeployed by another provider
        instance is noticed at the next call, and one deployed elsewhere is reopened from its files.
        """
        stamp = self._stamp(endpoint_name)
        cached = self._served.get(endpoint_name)
        if cached is not None and stamp is not None and cached.stamp == stamp:
            return cached
        with self._lock:
            self._served.pop(endpoint_name, None)
            endpoint = self.get(endpoint_name, operation=operation)  # NotFound names the endpoints
            folder = self.files / endpoint_name
            runtime = open_runtime(
                folder / "model", folder / ONNX_FILENAME, endpoint.n_features, endpoint.runtime
            )
            cached = ServedModel(self._stamp(endpoint_name) or 0, endpoint, runtime)
            self._served[endpoint_name] = cached
            return cached

    def _stamp(self, endpoint_name: str) -> int | None:
        try:
            return self.records.path(check_name("endpoint", endpoint_name)).stat().st_mtime_ns
        except (FileNotFoundError, InvalidArgument):
            return None

    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]] | Any) -> Prediction:
        served = self.served(endpoint_name)
        endpoint, runtime = served.endpoint, served.runtime
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
