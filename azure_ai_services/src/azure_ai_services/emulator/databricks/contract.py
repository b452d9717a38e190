"""What a Databricks task's process sees: the workspace's host and token, MLflow tracking, the runtime."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.jobs.layout import ContainerLayout


@dataclass(frozen=True)
class DatabricksContract:
    """Databricks' runtime variables; MLflow inside a task logs to the workspace's tracking server."""

    name: str = "databricks"
    host: str = ""
    token: str = ""
    spark_version: str = ""
    dbfs_root: str = ""
    ca_bundle: str = ""
    widgets: Mapping[str, str] = field(default_factory=dict)
    exit_file: str = ""

    def environment(
        self, layout: ContainerLayout, hyperparameters: Mapping[str, Any], channels: Sequence[str]
    ) -> dict[str, str]:
        env = {
            "DATABRICKS_HOST": self.host,
            "DATABRICKS_TOKEN": self.token,
            "DATABRICKS_RUNTIME_VERSION": self.spark_version.split(".x")[0],
            "DATABRICKS_DBFS_ROOT": self.dbfs_root,
            "DATABRICKS_WIDGETS": json.dumps(dict(self.widgets)),
            "DATABRICKS_NOTEBOOK_EXIT": self.exit_file,
            "MLFLOW_TRACKING_URI": self.host,
            "MLFLOW_TRACKING_TOKEN": self.token,
            "PYTHONUNBUFFERED": "1",
        }
        if self.ca_bundle:
            env["REQUESTS_CA_BUNDLE"] = env["SSL_CERT_FILE"] = self.ca_bundle
        return env

    def arguments(self, hyperparameters: Mapping[str, Any]) -> list[str]:
        return []
