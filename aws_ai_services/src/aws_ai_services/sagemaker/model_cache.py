"""Trained models loaded from their ``model.tar.gz`` in S3, cached by artifact URI and ETag."""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.uris import split_uri
from multi_cloud.emulation.jobs.script_mode import unpack_model
from multi_cloud.emulation.serving.model_loading import load_model

from aws_ai_services.storage.s3 import S3Storage

Rows = Sequence[Sequence[float]]


@dataclass(frozen=True)
class LoadedModel:
    """A model object and where it came from."""

    model: Any
    artifact: str
    etag: str

    @property
    def n_features(self) -> int | None:
        count = getattr(self.model, "n_features_in_", None)
        return int(count) if count is not None else None

    def predict(self, rows: Rows) -> tuple[tuple[Any, ...], tuple[tuple[float, ...], ...]]:
        """``(predictions, class probabilities or ())`` for ``rows``; bad shapes are InvalidArgument."""
        import numpy as np

        matrix = self._matrix(rows, np)
        values = tuple(self.model.predict(matrix).tolist())
        probabilities: tuple[tuple[float, ...], ...] = ()
        if hasattr(self.model, "predict_proba"):
            probabilities = tuple(tuple(float(p) for p in row) for row in self.model.predict_proba(matrix))
        return values, probabilities

    def _matrix(self, rows: Rows, np: Any) -> Any:
        if len(rows) == 0:
            raise InvalidArgument("no instances to predict; pass at least one row of features")
        try:
            matrix = np.asarray(rows, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(
                f"instances must be rows of numbers of equal length (a list of lists): {exc}"
            ) from exc
        if matrix.ndim != 2:
            raise InvalidArgument(f"instances must be a list of rows, got an array of shape {matrix.shape}")
        expected = self.n_features
        if expected is not None and matrix.shape[1] != expected:
            raise InvalidArgument(
                f"the model at {self.artifact} expects {expected} features per row, got {matrix.shape[1]}"
            )
        return matrix


class ModelCache:
    """Up to ``max_models`` loaded models, least recently used evicted; a new ETag reloads."""

    def __init__(self, max_models: int = 8) -> None:
        self.max_models = max_models
        self._models: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, storage: S3Storage, artifact: str) -> LoadedModel:
        bucket, key = split_uri(artifact, scheme="s3")
        try:
            etag = storage.head_object(bucket, key).etag
        except NotFound as exc:
            raise NotFound(
                f"model artifact {artifact} does not exist; train a model first or check the URI",
                cause=exc,
            ) from exc
        cache_key = (artifact, etag)
        with self._lock:
            if cache_key in self._models:
                self._models.move_to_end(cache_key)
                return self._models[cache_key]
        archive = storage.get_object(bucket, key)
        with tempfile.TemporaryDirectory(prefix="sagemaker-model-") as work:
            try:
                unpacked = unpack_model(archive, Path(work))
            except Exception as exc:  # noqa: BLE001 - tarfile raises several types for bad archives
                raise InvalidArgument(f"{artifact} is not a model.tar.gz archive: {exc}") from exc
            loaded = LoadedModel(model=load_model(unpacked), artifact=artifact, etag=etag)
        with self._lock:
            self._models[cache_key] = loaded
            while len(self._models) > self.max_models:
                self._models.popitem(last=False)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


#: shared by deployment and batch transform in this process
MODEL_CACHE = ModelCache()
