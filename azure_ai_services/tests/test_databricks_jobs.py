"""Databricks jobs over the wire with ``WorkspaceClient()``: tasks really run, with parameters and output."""

from __future__ import annotations

import importlib.util
import io
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("fast_databricks_polls")

CLUSTER = {"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 1}
SCRIPT = b"import sys\nprint('sum =', sum(int(a) for a in sys.argv[1:]))\n"
NOTEBOOK = b"""# Databricks notebook source
dbutils.widgets.text("n", "3")
n = int(dbutils.widgets.get("n"))

# COMMAND ----------

# MAGIC %md squares
squares = [i * i for i in range(n)]
dbutils.notebook.exit(",".join(map(str, squares)))
print("never printed")
"""


@pytest.fixture
def workspace(azure_env: dict[str, str]) -> Any:
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient()


def _python_task(key: str, path: str, params: list[str] | None = None, **extra: Any) -> Any:
    from databricks.sdk.service.compute import ClusterSpec
    from databricks.sdk.service.jobs import SparkPythonTask, Task

    return Task(
        task_key=key,
        spark_python_task=SparkPythonTask(python_file=path, parameters=params or []),
        new_cluster=ClusterSpec.from_dict(CLUSTER),
        **extra,
    )


def test_python_task_runs_with_parameters_on_a_job_cluster(workspace: Any) -> None:
    from databricks.sdk.service.compute import State
    from databricks.sdk.service.jobs import RunLifeCycleState, RunResultState

    workspace.dbfs.upload("dbfs:/jobs/sum.py", io.BytesIO(SCRIPT), overwrite=True)
    job = workspace.jobs.create(name="sum", tasks=[_python_task("sum", "dbfs:/jobs/sum.py", ["1", "2"])])
    run = workspace.jobs.run_now(job.job_id, python_params=["4", "5", "6"]).result()
    assert run.state.life_cycle_state == RunLifeCycleState.TERMINATED
    assert run.state.result_state == RunResultState.SUCCESS
    output = workspace.jobs.get_run_output(run.tasks[0].run_id)
    assert "sum = 15" in output.logs
    cluster = workspace.clusters.get(run.tasks[0].cluster_instance.cluster_id)
    assert cluster.state == State.TERMINATED  # a job cluster ends with its run
    assert [r.run_id for r in workspace.jobs.list_runs(job_id=job.job_id)] == [run.run_id]


def test_notebook_task_widgets_and_exit_value(workspace: Any) -> None:
    from databricks.sdk.service.jobs import NotebookTask, SubmitTask
    from databricks.sdk.service.workspace import ImportFormat, Language

    workspace.workspace.upload(
        "/Shared/squares", NOTEBOOK, format=ImportFormat.SOURCE, language=Language.PYTHON
    )
    cluster = workspace.clusters.create(cluster_name="shared", **CLUSTER).result()
    task = SubmitTask(
        task_key="squares",
        notebook_task=NotebookTask(notebook_path="/Shared/squares", base_parameters={"n": "5"}),
        existing_cluster_id=cluster.cluster_id,
    )
    run = workspace.jobs.submit(run_name="one-off", tasks=[task]).result()
    output = workspace.jobs.get_run_output(run.tasks[0].run_id)
    assert output.notebook_output.result == "0,1,4,9,16"
    assert "never printed" not in (output.logs or "")


def test_failing_task_reports_error_and_trace(workspace: Any) -> None:
    from databricks.sdk.service.jobs import RunResultState

    workspace.dbfs.upload(
        "dbfs:/jobs/bad.py", io.BytesIO(b"raise ValueError('bad input row 7')\n"), overwrite=True
    )
    job = workspace.jobs.create(name="bad", tasks=[_python_task("bad", "dbfs:/jobs/bad.py")])
    run = workspace.jobs.run_now(job.job_id).result()
    assert run.state.result_state == RunResultState.FAILED
    output = workspace.jobs.get_run_output(run.tasks[0].run_id)
    assert "ValueError: bad input row 7" in output.error
    assert "Traceback" in output.error_trace


def test_upstream_failure_skips_dependents_and_multi_task_output_is_per_task(workspace: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue
    from databricks.sdk.service.jobs import RunResultState, TaskDependency

    workspace.dbfs.upload("dbfs:/jobs/bad.py", io.BytesIO(b"import sys\nsys.exit(3)\n"), overwrite=True)
    workspace.dbfs.upload("dbfs:/jobs/sum.py", io.BytesIO(SCRIPT), overwrite=True)
    tasks = [
        _python_task("first", "dbfs:/jobs/bad.py"),
        _python_task("second", "dbfs:/jobs/sum.py", depends_on=[TaskDependency(task_key="first")]),
    ]
    run = workspace.jobs.run_now(workspace.jobs.create(name="chain", tasks=tasks).job_id).result()
    results = {t.task_key: t.state.result_state for t in run.tasks}
    assert results == {"first": RunResultState.FAILED, "second": RunResultState.UPSTREAM_FAILED}
    with pytest.raises(InvalidParameterValue, match="multiple tasks"):
        workspace.jobs.get_run_output(run.run_id)


def test_spark_task_without_pyspark_fails_naming_the_install(workspace: Any) -> None:
    from databricks.sdk.service.jobs import RunResultState

    if importlib.util.find_spec("pyspark") is not None:
        pytest.skip("pyspark is installed here: the task would run")
    source = b"from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate().range(3).show()\n"
    workspace.dbfs.upload("dbfs:/jobs/spark.py", io.BytesIO(source), overwrite=True)
    job = workspace.jobs.create(name="spark", tasks=[_python_task("spark", "dbfs:/jobs/spark.py")])
    run = workspace.jobs.run_now(job.job_id).result()
    assert run.state.result_state == RunResultState.FAILED
    assert "pip install pyspark" in workspace.jobs.get_run_output(run.tasks[0].run_id).error


def test_cancel_stops_a_running_task(workspace: Any) -> None:
    from databricks.sdk.service.jobs import RunLifeCycleState, RunResultState

    workspace.dbfs.upload("dbfs:/jobs/slow.py", io.BytesIO(b"import time\ntime.sleep(60)\n"), overwrite=True)
    job = workspace.jobs.create(name="slow", tasks=[_python_task("slow", "dbfs:/jobs/slow.py")])
    waiter = workspace.jobs.run_now(job.job_id)
    while workspace.jobs.get_run(waiter.run_id).tasks[0].state.life_cycle_state != RunLifeCycleState.RUNNING:
        pass
    run = workspace.jobs.cancel_run(waiter.run_id).result()
    assert run.state.result_state == RunResultState.CANCELED
    assert run.execution_duration < 30_000


def test_job_errors(workspace: Any) -> None:
    from databricks.sdk.errors import InvalidParameterValue, NotFound
    from databricks.sdk.service.jobs import Task, TaskDependency

    with pytest.raises(NotFound):
        workspace.jobs.get(987654)
    with pytest.raises(NotFound):
        workspace.jobs.get_run(987654)
    with pytest.raises(InvalidParameterValue, match="task type"):
        workspace.jobs.create(name="empty", tasks=[Task(task_key="nothing")])
    with pytest.raises(InvalidParameterValue, match="unknown task"):
        workspace.jobs.create(
            name="dangling",
            tasks=[_python_task("a", "dbfs:/x.py", depends_on=[TaskDependency(task_key="ghost")])],
        )
    job = workspace.jobs.create(name="to-delete", tasks=[_python_task("a", "dbfs:/x.py")])
    assert job.job_id in [j.job_id for j in workspace.jobs.list(name="to-delete")]
    workspace.jobs.delete(job.job_id)
    with pytest.raises(NotFound):
        workspace.jobs.get(job.job_id)
