"""Trained models loaded from their ``model.tar.gz`` archive, cached by artifact URI and version (ETag)."""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.jobs.archives import unpack_model
from multi_cloud.emulation.serving.model_loading import load_model

Rows = Sequence[Sequence[float]]
Loader = Callable[[Path], Any]


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

        matrix = self.matrix(rows, np)
        values = tuple(self.model.predict(matrix).tolist())
        probabilities: tuple[tuple[float, ...], ...] = ()
        if hasattr(self.model, "predict_proba"):
            probabilities = tuple(tuple(float(p) for p in row) for row in self.model.predict_proba(matrix))
        return values, probabilities

    def matrix(self, rows: Rows, np: Any) -> Any:
        """``rows`` as a 2-D float array of the width the model was fitted on."""
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
    """Up to ``max_models`` loaded models, least recently used evicted; a new version reloads."""

    def __init__(self, max_models: int = 8) -> None:
        self.max_models = max_models
        self._models: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def load(
        self, artifact: str, version: str, read: Callable[[], bytes], loader: Loader = load_model
    ) -> LoadedModel:
        """The model in the archive ``read()`` returns, unpacked and loaded by ``loader`` once per version.

        InvalidArgument when the bytes are not a model archive or hold no model the loader knows.
        """
        key = (artifact, version)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        archive = read()
        with tempfile.TemporaryDirectory(prefix="served-model-") as work:
            try:
                unpacked = unpack_model(archive, Path(work))
            except Exception as exc:  # noqa: BLE001 - tarfile raises several types for bad archives
                raise InvalidArgument(f"{artifact} is not a model.tar.gz archive: {exc}") from exc
            try:
                model = loader(unpacked)
            except InvalidArgument:
                raise
            except Exception as exc:  # noqa: BLE001 - unpickling raises whatever the model's classes raise
                raise InvalidArgument(f"the model in {artifact} could not be loaded: {exc}") from exc
        loaded = LoadedModel(model=model, artifact=artifact, etag=version)
        with self._lock:
            self._models[key] = loaded
            while len(self._models) > self.max_models:
                self._models.popitem(last=False)
        return loaded

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


#: shared by every server in this process (endpoints and batch jobs of one artifact load it once)
MODEL_CACHE = ModelCache()
