"""MLflow's own tracking and model-registry server, mounted in an emulator (``/api/2.0/mlflow``).

Databricks and Azure ML both answer MLflow's REST API; this wraps MLflow's server (its Flask app and
handlers) over a SQLite store and a local artifact root, so runs, metrics, logged models and registered
model versions are MLflow's own. The store is created on the first MLflow request (importing the server
takes seconds) and recreated, empty, on the first request after a reset. MLflow's server keeps its stores
in module globals: one store per process, shared by every emulator that mounts it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

#: the URL paths MLflow's clients call, relative to the tracking URI
MLFLOW_PREFIXES = ("/api/2.0/mlflow", "/api/3.0/mlflow", "/ajax-api/2.0/mlflow")


def is_mlflow_path(path: str) -> bool:
    """True for MLflow's REST paths (tracking, model registry, artifacts proxy, logged models)."""
    return path.startswith(MLFLOW_PREFIXES)


class MlflowServer:
    """MLflow's REST server as a WSGI app over ``root`` (``mlflow.db`` and ``artifacts/``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._generation = 0
        self._ready_generation = -1
        self._lock = threading.Lock()

    @property
    def store_dir(self) -> Path:
        return self.root / f"store-{self._generation}"

    @property
    def artifact_root(self) -> Path:
        return self.store_dir / "artifacts"

    def reset(self) -> None:
        """Forget every experiment, run and model: the next request starts on an empty store."""
        with self._lock:
            self._generation += 1

    def _app(self) -> Any:
        from mlflow.server import app, handlers
        from mlflow.store.model_registry import sqlalchemy_store as registry_stores
        from mlflow.store.tracking import sqlalchemy_store as tracking_stores

        server: Any = handlers  # MLflow's server keeps its stores in these module globals
        with self._lock:
            if self._ready_generation != self._generation:
                self.artifact_root.mkdir(parents=True, exist_ok=True)
                database = f"sqlite:///{self.store_dir / 'mlflow.db'}"
                tracking: Any = tracking_stores.SqlAlchemyStore
                registry: Any = registry_stores.SqlAlchemyStore
                server._tracking_store = tracking(database, self.artifact_root.as_uri())
                server._model_registry_store = registry(database)
                self._ready_generation = self._generation
        return app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self._app()(environ, start_response)  # type: ignore[no-any-return]
