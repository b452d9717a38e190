"""Run a job run's tasks in dependency order, each as a local Python process (the toolkit's script runner).

``spark_python_task`` runs its ``python_file`` (DBFS or workspace) with ``parameters`` as arguments;
``notebook_task`` runs a SOURCE-format Python notebook top to bottom with ``dbutils``/``display`` defined.
A task that uses Spark runs only where pyspark and a JRE exist; elsewhere it fails saying what to install.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.script_mode import run_script

from azure_ai_services.emulator.databricks.contract import DatabricksContract
from azure_ai_services.emulator.databricks.errors import DatabricksError
from azure_ai_services.emulator.databricks.runs import JobRun, TaskRun, now_ms

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.jobs.store import BackgroundJob

    from azure_ai_services.emulator.databricks.clusters import Cluster
    from azure_ai_services.emulator.databricks.workspace import Workspace

USES_SPARK = re.compile(
    r"^\s*(from|import)\s+pyspark\b|\bspark\.(sql|read|createDataFrame|range|table)\b", re.M
)
NOTEBOOK_PRELUDE = "from notebook_runtime import dbutils, display  # the Databricks notebook globals\n"
SPARK_PRELUDE = "from notebook_runtime import spark_session\nspark = spark_session()\n"
TRACE_LINES = 30
TASK_TIMEOUT_SECONDS = 3600.0


class TaskFailure(Exception):
    """A task that cannot start (missing file, Spark unavailable): the run fails with this message."""


def spark_missing() -> str:
    """Why Spark cannot run here, or ``""`` when pyspark and a JRE are both present."""
    missing = []
    if importlib.util.find_spec("pyspark") is None:
        missing.append("pyspark (pip install pyspark)")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        missing.append("a Java runtime (JRE 17, e.g. apt-get install openjdk-17-jre-headless)")
    return " and ".join(missing)


class TaskRunner:
    """Executes one job run in the caller's thread (a JobStore thread)."""

    def __init__(self, workspace: Workspace, run: JobRun, job: BackgroundJob) -> None:
        self.workspace = workspace
        self.run = run
        self.job = job
        self.clusters_made: list[Cluster] = []

    def execute(self) -> None:
        run = self.run
        run.state.life_cycle_state = "RUNNING"
        outcome: dict[str, str] = {}
        try:
            for task in ordered(run.tasks):
                upstream = [dep.get("task_key", "") for dep in task.task.get("depends_on") or []]
                if self.job.stop_requested.is_set():
                    task.state.end("CANCELED", "Run cancelled.", "SKIPPED")
                elif any(outcome.get(key) != "SUCCESS" for key in upstream):
                    task.state.end("UPSTREAM_FAILED", "An upstream task failed.", "SKIPPED")
                else:
                    self.execute_task(task)
                outcome[task.task_key] = task.state.result_state
        finally:
            for cluster in self.clusters_made:
                self.workspace.clusters.terminate(cluster.cluster_id, "JOB_FINISHED")
        results = [task.state.result_state for task in run.tasks]
        run.end_time = now_ms()
        if self.job.stop_requested.is_set():
            run.state.end("CANCELED", "Run cancelled.")
            run.state.user_cancelled_or_timedout = True
        elif all(result == "SUCCESS" for result in results):
            run.state.end("SUCCESS")
        else:
            failed = [task.task_key for task in run.tasks if task.state.result_state != "SUCCESS"]
            run.state.end("FAILED", f"{len(failed)} of {len(results)} tasks failed: {', '.join(failed)}")

    def execute_task(self, task: TaskRun) -> None:
        task.start_time = now_ms()
        task.state.life_cycle_state = "PENDING"
        try:
            cluster = self.cluster_for(task.task)
            if cluster is not None:
                task.cluster_id = cluster.cluster_id
                self.workspace.clusters.wait_running(cluster)
            task.state.life_cycle_state = "RUNNING"
            self.run_process(task, cluster)
        except (TaskFailure, DatabricksError) as exc:
            message = exc.message if isinstance(exc, DatabricksError) else str(exc)
            task.error = message
            task.state.end(
                "FAILED", message, "INTERNAL_ERROR" if isinstance(exc, DatabricksError) else "TERMINATED"
            )
        task.end_time = now_ms()

    def cluster_for(self, task: dict[str, Any]) -> Cluster | None:
        clusters = self.workspace.clusters
        if task.get("existing_cluster_id"):
            cluster = clusters.get(str(task["existing_cluster_id"]))
            if cluster.state() == "TERMINATED":
                clusters.start(cluster.cluster_id)  # Databricks starts a terminated cluster for a job run
            return cluster
        spec = task.get("new_cluster")
        if task.get("job_cluster_key"):
            key = task["job_cluster_key"]
            found = [c for c in self.run.job_clusters if c.get("job_cluster_key") == key]
            if not found:
                raise TaskFailure(f"job_cluster_key {key} is not one of the job's job_clusters")
            spec = found[0].get("new_cluster")
        if isinstance(spec, dict):
            cluster = clusters.create({"cluster_name": f"job-{self.run.run_id}", **spec}, source="JOB")
            self.clusters_made.append(cluster)
            return cluster
        return None  # serverless compute

    def run_process(self, task: TaskRun, cluster: Cluster | None) -> None:
        workdir = self.workspace.root / "runs" / str(task.run_id)
        workdir.mkdir(parents=True, exist_ok=True)
        script, args, widgets = self.prepare(task.task, workdir)
        exit_file = workdir / "notebook-exit.txt"
        contract = DatabricksContract(
            host=self.run.host,
            token=self.workspace.token,
            spark_version=cluster.spec["spark_version"] if cluster else "",
            dbfs_root=str(self.workspace.dbfs.root),
            ca_bundle=self.workspace.ca_bundle,
            widgets=widgets,
            exit_file=str(exit_file),
        )
        result = run_script(
            script,
            ContainerLayout(workdir / "container"),
            command=[sys.executable, str(script), *args],
            contract=contract,
            timeout=float(task.task.get("timeout_seconds") or TASK_TIMEOUT_SECONDS),
            should_stop=self.job.stop_requested.is_set,
            preload=False,
        )
        task.logs = result.logs
        if exit_file.is_file():
            task.notebook_result = exit_file.read_text()
        if result.succeeded:
            task.state.end("SUCCESS")
            return
        if result.stopped:
            task.state.end("CANCELED", "Run cancelled.")
            return
        trace = result.logs.strip().splitlines()
        task.error_trace = "\n".join(trace[-TRACE_LINES:])
        task.error = result.failure_reason.strip().splitlines()[-1] if result.failure_reason else "failed"
        result_state = "TIMEDOUT" if result.timed_out else "FAILED"
        task.state.end(result_state, task.error)

    def prepare(self, task: dict[str, Any], workdir: Path) -> tuple[Path, list[str], dict[str, str]]:
        """The script to run, its arguments and its widget values."""
        overriding = self.run.overriding
        if "spark_python_task" in task:
            spec = task["spark_python_task"]
            source = self.read_source(str(spec.get("python_file", "")))
            self.check_spark(source)
            script = workdir / "task.py"
            script.write_bytes(source)
            params = overriding.get("python_params", spec.get("parameters") or [])
            return script, [str(p) for p in params], {}
        if "notebook_task" in task:
            spec = task["notebook_task"]
            path = str(spec.get("notebook_path", ""))
            notebook = self.workspace.tree.get(path)
            if notebook.object_type != "NOTEBOOK" or notebook.language != "PYTHON":
                raise TaskFailure(
                    f"{path} is not a Python notebook (the local runtime runs Python notebooks)"
                )
            source = notebook.content
            needs_spark = self.check_spark(source)
            shutil.copyfile(Path(__file__).with_name("notebook_runtime.py"), workdir / "notebook_runtime.py")
            script = workdir / "notebook.py"
            prelude = NOTEBOOK_PRELUDE + (SPARK_PRELUDE if needs_spark else "")
            script.write_bytes(prelude.encode() + source)
            widgets = {str(k): str(v) for k, v in (spec.get("base_parameters") or {}).items()}
            widgets.update({str(k): str(v) for k, v in (overriding.get("notebook_params") or {}).items()})
            return script, [], widgets
        kind = next((k for k in task if k.endswith("_task")), "no task type")
        raise TaskFailure(
            f"{kind} does not run in the local Databricks runtime: use spark_python_task or notebook_task"
        )

    def read_source(self, path: str) -> bytes:
        if not path:
            raise TaskFailure("spark_python_task.python_file is required")
        if path.startswith("dbfs:/"):
            local = self.workspace.dbfs.local(path)
            if not local.is_file():
                raise TaskFailure(f"python_file {path} does not exist in DBFS (upload it with dbfs put)")
            return local.read_bytes()
        try:
            return self.workspace.tree.get(path).content
        except DatabricksError as exc:
            raise TaskFailure(f"python_file {path} does not exist in the workspace") from exc

    def check_spark(self, source: bytes) -> bool:
        """True when the task uses Spark (and Spark can run here); TaskFailure when it cannot."""
        if not USES_SPARK.search(source.decode("utf-8", "replace")):
            return False
        missing = spark_missing()
        if missing:
            raise TaskFailure(
                f"This task uses Spark, which the local Databricks runtime runs only with pyspark and a "
                f"Java runtime installed; missing: {missing}. Run it on a Databricks cluster, or install "
                "them (pip install pyspark, and a JRE)."
            )
        return True


def ordered(tasks: list[TaskRun]) -> list[TaskRun]:
    """Tasks after the tasks they depend on (their order otherwise kept); a cycle is 400 at submit."""
    done: list[TaskRun] = []
    pending = list(tasks)
    while pending:
        ready = [
            t
            for t in pending
            if all(d.get("task_key") in {x.task_key for x in done} for d in t.task.get("depends_on") or [])
        ]
        if not ready:
            return done + pending
        done.extend(ready)
        pending = [t for t in pending if t not in ready]
    return done
