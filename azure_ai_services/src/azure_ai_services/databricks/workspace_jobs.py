"""DatabricksJobs: clusters, DBFS uploads and Python-task jobs of one workspace, with ``databricks-sdk``.

``WorkspaceClient()`` reads ``DATABRICKS_HOST`` and ``DATABRICKS_TOKEN`` (a personal access token), as
Databricks documents; the same code runs against an Azure Databricks workspace and the local cloud.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from databricks.sdk import WorkspaceClient

DEFAULT_NODE_TYPE = "Standard_DS3_v2"


@dataclass(frozen=True)
class TaskResult:
    """One finished task run: its state, output (stdout or the notebook's exit value) and error."""

    job_run_id: int
    task_run_id: int
    result_state: str
    seconds: float
    logs: str = ""
    notebook_result: str | None = None
    error: str = ""
    cluster_id: str = ""

    @property
    def succeeded(self) -> bool:
        return self.result_state == "SUCCESS"


class DatabricksJobs:
    """A workspace's clusters and jobs; pass a ``WorkspaceClient`` or one is built from the environment."""

    def __init__(self, client: WorkspaceClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> WorkspaceClient:
        if self._client is None:
            from databricks.sdk import WorkspaceClient

            self._client = WorkspaceClient()
        return self._client

    def create_cluster(self, name: str, *, workers: int = 1, node_type: str = DEFAULT_NODE_TYPE) -> str:
        """An all-purpose cluster on the newest LTS runtime, started (waits until RUNNING); its id."""
        version = self.client.clusters.select_spark_version(long_term_support=True)
        cluster = self.client.clusters.create_and_wait(
            cluster_name=name,
            spark_version=version,
            node_type_id=node_type,
            num_workers=workers,
            autotermination_minutes=30,
            timeout=timedelta(minutes=20),
        )
        return str(cluster.cluster_id)

    def upload(self, source: Path | bytes, dbfs_path: str) -> str:
        """Copy a local file (or bytes) to DBFS, replacing what is there; the ``dbfs:/`` path."""
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.client.dbfs.upload(dbfs_path, io.BytesIO(data), overwrite=True)
        return dbfs_path if dbfs_path.startswith("dbfs:") else "dbfs:" + dbfs_path

    def create_python_job(
        self,
        name: str,
        python_file: str,
        parameters: list[str] | None = None,
        *,
        cluster_id: str | None = None,
        workers: int = 1,
        node_type: str = DEFAULT_NODE_TYPE,
    ) -> int:
        """A one-task job running ``python_file``: on ``cluster_id``, else on a new job cluster per run."""
        from databricks.sdk.service.compute import ClusterSpec
        from databricks.sdk.service.jobs import SparkPythonTask, Task

        compute: dict[str, Any] = (
            {"existing_cluster_id": cluster_id}
            if cluster_id
            else {
                "new_cluster": ClusterSpec(
                    spark_version=self.client.clusters.select_spark_version(long_term_support=True),
                    node_type_id=node_type,
                    num_workers=workers,
                )
            }
        )
        task = Task(
            task_key="train",
            spark_python_task=SparkPythonTask(python_file=python_file, parameters=parameters or []),
            **compute,
        )
        return int(self.client.jobs.create(name=name, tasks=[task]).job_id or 0)

    def run(self, job_id: int, python_params: list[str] | None = None, minutes: int = 20) -> TaskResult:
        """Run the job now, wait for it, and read its (single) task's output."""
        run = self.client.jobs.run_now_and_wait(
            job_id, python_params=python_params, timeout=timedelta(minutes=minutes)
        )
        task = (run.tasks or [])[0]
        output = self.client.jobs.get_run_output(int(task.run_id or 0))
        state = task.state.result_state.value if task.state and task.state.result_state else "UNKNOWN"
        return TaskResult(
            job_run_id=int(run.run_id or 0),
            task_run_id=int(task.run_id or 0),
            result_state=state,
            seconds=((task.end_time or 0) - (task.start_time or 0)) / 1000,
            logs=output.logs or "",
            notebook_result=output.notebook_output.result if output.notebook_output else None,
            error=output.error or "",
            cluster_id=(task.cluster_instance.cluster_id or "") if task.cluster_instance else "",
        )

    def cleanup(self, job_ids: list[int], cluster_ids: list[str], dbfs_dir: str | None = None) -> None:
        """Delete the jobs, permanently delete the clusters and remove the DBFS folder."""
        for job_id in job_ids:
            self.client.jobs.delete(job_id)
        for cluster_id in cluster_ids:
            self.client.clusters.permanent_delete(cluster_id)
        if dbfs_dir:
            self.client.dbfs.delete(dbfs_dir, recursive=True)
