"""MlflowModels: the workspace's MLflow tracking, runs compared by a metric, models registered and loaded.

MLflow talks to the workspace's ``/api/2.0/mlflow`` REST API with the workspace URL as tracking URI and
the access token as ``MLFLOW_TRACKING_TOKEN`` (inside a Databricks job this is already set up).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


def use_workspace_tracking() -> str:
    """Point MLflow (tracking and registry) at the workspace in ``DATABRICKS_HOST``; the tracking URI."""
    import mlflow

    host = os.environ["DATABRICKS_HOST"]
    os.environ.setdefault("MLFLOW_TRACKING_TOKEN", os.environ.get("DATABRICKS_TOKEN", ""))
    mlflow.set_tracking_uri(host)
    mlflow.set_registry_uri(host)
    return host


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    run_name: str
    params: dict[str, str]
    metrics: dict[str, float]


class MlflowModels:
    """Runs of one experiment and the registered model built from the best one."""

    def __init__(self, experiment: str) -> None:
        self.experiment = experiment

    def runs(self, metric: str, *, lower_is_better: bool = True) -> list[RunSummary]:
        """The experiment's finished runs, best ``metric`` first."""
        import mlflow

        order = "ASC" if lower_is_better else "DESC"
        found: list[Any] = mlflow.search_runs(
            experiment_names=[self.experiment],
            filter_string="attributes.status = 'FINISHED'",
            order_by=[f"metrics.{metric} {order}"],
            output_format="list",
        )
        return [
            RunSummary(r.info.run_id, r.info.run_name or "", dict(r.data.params), dict(r.data.metrics))
            for r in found
        ]

    def register_best(self, name: str, metric: str, *, artifact_path: str = "model") -> str:
        """Register the best run's model as a new version of ``name``; the version."""
        import mlflow

        runs = self.runs(metric)
        if not runs:
            raise LookupError(f"experiment {self.experiment} has no finished runs to register")
        version = mlflow.register_model(f"runs:/{runs[0].run_id}/{artifact_path}", name)
        return str(version.version)

    @staticmethod
    def load(name: str, version: str) -> Any:
        """The registered model version as an MLflow pyfunc (``.predict(dataframe)``)."""
        import mlflow.pyfunc

        return mlflow.pyfunc.load_model(f"models:/{name}/{version}")

    @staticmethod
    def delete_model(name: str) -> None:
        from mlflow import MlflowClient

        MlflowClient().delete_registered_model(name)
