"""One Databricks workspace's state: clusters, DBFS, the workspace tree, jobs and their runs, MLflow."""

from __future__ import annotations

import itertools
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from multi_cloud.emulation.jobs.store import JobStore
from multi_cloud.emulation.mlflow_server import MlflowServer

from azure_ai_services.emulator.databricks.clusters import Clusters, validate_spec
from azure_ai_services.emulator.databricks.dbfs import Dbfs
from azure_ai_services.emulator.databricks.errors import invalid, not_found
from azure_ai_services.emulator.databricks.runner import TaskRunner
from azure_ai_services.emulator.databricks.runs import TASK_KINDS, JobRun, TaskRun, now_ms
from azure_ai_services.emulator.databricks.workspace_files import WorkspaceTree

#: the workspace name in the exported host, ``https://127.0.0.1:PORT/databricks/<WORKSPACE_NAME>``
WORKSPACE_NAME = "adb-local"
#: its numeric id, as ``/.well-known/databricks-config`` and ``X-Databricks-Workspace-Id`` carry it
WORKSPACE_ID = "1000000000000001"
_SCOPE = "databricks"


def check_tasks(tasks: Any, job_clusters: Any = ()) -> list[dict[str, Any]]:
    """A job's ``tasks``: each needs a task_key and one task type; keys unique, dependencies known."""
    if not isinstance(tasks, list) or not tasks:
        raise invalid("A job needs at least one task in 'tasks'.")
    keys: set[str] = set()
    cluster_keys = {c.get("job_cluster_key") for c in job_clusters or [] if isinstance(c, dict)}
    for task in tasks:
        if not isinstance(task, dict) or not task.get("task_key"):
            raise invalid("Every task needs a task_key.")
        if task["task_key"] in keys:
            raise invalid(f"Task key {task['task_key']} is used by more than one task.")
        keys.add(task["task_key"])
        if not any(kind in task for kind in TASK_KINDS):
            raise invalid(
                f"Task {task['task_key']} needs a task type, e.g. spark_python_task or notebook_task."
            )
        if isinstance(task.get("new_cluster"), dict):
            validate_spec(task["new_cluster"])
        if task.get("job_cluster_key") and task["job_cluster_key"] not in cluster_keys:
            raise invalid(
                f"Task {task['task_key']} names an unknown job_cluster_key {task['job_cluster_key']}."
            )
    for task in tasks:
        for dep in task.get("depends_on") or []:
            if dep.get("task_key") not in keys:
                raise invalid(f"Task {task['task_key']} depends on an unknown task {dep.get('task_key')}.")
    for cluster in job_clusters or []:
        validate_spec(cluster.get("new_cluster") or {})
    return tasks


class Workspace:
    """State and runs of the exported workspace; every run executes in a JobStore thread."""

    def __init__(self, root: Path | None = None) -> None:
        self._own_root = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="cloudai-databricks-"))
        self.token = "dapi" + secrets.token_hex(16)
        self.ca_bundle = ""
        self.clusters = Clusters()
        self.dbfs = Dbfs(self.root / "dbfs")
        self.tree = WorkspaceTree()
        self.mlflow = MlflowServer(self.root / "mlflow")
        self.jobs: dict[int, dict[str, Any]] = {}
        self.runs: dict[int, JobRun] = {}
        self.store = JobStore("databricks")
        self._job_ids = itertools.count(101)
        self._run_ids = itertools.count(1001)
        self._lock = threading.Lock()

    def reset(self) -> None:
        self.store.cancel_scope(_SCOPE)
        with self._lock:
            self.jobs.clear()
            self.runs.clear()
        self.clusters.reset()
        self.dbfs.reset()
        self.tree.reset()
        self.mlflow.reset()

    def close(self) -> None:
        self.store.cancel_scope(_SCOPE)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # jobs
    def create_job(self, settings: dict[str, Any]) -> int:
        check_tasks(settings.get("tasks"), settings.get("job_clusters"))
        job_id = next(self._job_ids)
        record = {
            "job_id": job_id,
            "settings": {"name": "Untitled", "max_concurrent_runs": 1, **settings},
            "created_time": now_ms(),
            "creator_user_name": "local-user@cloudai.local",
        }
        with self._lock:
            self.jobs[job_id] = record
        return job_id

    def job(self, job_id: Any) -> dict[str, Any]:
        if job_id in (None, ""):
            raise invalid("Missing required field: job_id")
        try:
            key = int(job_id)
        except (TypeError, ValueError) as exc:
            raise invalid(f"job_id must be an integer, got {job_id!r}") from exc
        with self._lock:
            found = self.jobs.get(key)
        if found is None:
            raise not_found(f"Job {job_id} does not exist.")
        return found

    def delete_job(self, job_id: Any) -> None:
        record = self.job(job_id)
        for run in self.list_runs(record["job_id"], active_only=True):
            self.cancel(run.run_id)
        with self._lock:
            del self.jobs[record["job_id"]]

    # runs
    def start_run(
        self,
        tasks: list[dict[str, Any]],
        host: str,
        *,
        job_id: int | None = None,
        run_name: str = "",
        overriding: dict[str, Any] | None = None,
        job_clusters: list[dict[str, Any]] | None = None,
    ) -> JobRun:
        run_id = next(self._run_ids)
        number = 1 + sum(1 for r in self.runs.values() if r.job_id == job_id) if job_id else run_id
        run = JobRun(
            run_id=run_id,
            job_id=job_id,
            run_name=run_name or "Untitled",
            tasks=[TaskRun(next(self._run_ids), dict(task)) for task in tasks],
            run_type="JOB_RUN" if job_id is not None else "SUBMIT_RUN",
            number_in_job=number,
            host=host,
            overriding=dict(overriding or {}),
            job_clusters=list(job_clusters or []),
        )
        with self._lock:
            self.runs[run_id] = run
        self.store.submit(str(run_id), _SCOPE, lambda job: TaskRunner(self, run, job).execute())
        return run

    def find_run(self, run_id: Any) -> tuple[JobRun, TaskRun | None]:
        """The job run with ``run_id``, or the job run holding the task run ``run_id`` (and that task)."""
        try:
            key = int(run_id)
        except (TypeError, ValueError) as exc:
            raise invalid(f"run_id must be an integer, got {run_id!r}") from exc
        with self._lock:
            if key in self.runs:
                return self.runs[key], None
            for run in self.runs.values():
                for task in run.tasks:
                    if task.run_id == key:
                        return run, task
        raise not_found(f"Run {run_id} does not exist.")

    def list_runs(self, job_id: int | None = None, *, active_only: bool = False) -> list[JobRun]:
        with self._lock:
            found = [r for r in self.runs.values() if job_id is None or r.job_id == job_id]
        if active_only:
            found = [r for r in found if r.state.life_cycle_state in ("PENDING", "RUNNING")]
        return sorted(found, key=lambda r: r.run_id, reverse=True)

    def cancel(self, run_id: Any) -> None:
        run, _ = self.find_run(run_id)
        if self.store.stop(str(run.run_id)):
            run.state.life_cycle_state = "TERMINATING"

    def delete_run(self, run_id: Any) -> None:
        run, task = self.find_run(run_id)
        if task is not None:
            raise invalid("Delete the job run, not one of its task runs.")
        if run.state.life_cycle_state in ("PENDING", "RUNNING", "TERMINATING"):
            raise invalid(f"Run {run.run_id} is still active: cancel it first.")
        with self._lock:
            del self.runs[run.run_id]
