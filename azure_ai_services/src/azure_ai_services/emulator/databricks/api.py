"""The workspace's REST surface under ``/databricks/<workspace>``: token check, routes, Databricks' errors.

Every request needs ``Authorization: Bearer <DATABRICKS_TOKEN>`` (401 otherwise). MLflow's paths go to
MLflow's own server; the rest to the handlers here. Unknown paths are 501 ``NOT_IMPLEMENTED`` naming the
method, bad input 400 ``INVALID_PARAMETER_VALUE``, a missing object 404 ``RESOURCE_DOES_NOT_EXIST``.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.mlflow_server import is_mlflow_path
from multi_cloud.emulation.protocols.azure.routing import PathRule, compile_path

from azure_ai_services.emulator.databricks import catalog
from azure_ai_services.emulator.databricks.dbfs import decode_base64
from azure_ai_services.emulator.databricks.errors import (
    DatabricksError,
    error_response,
    invalid,
    json_response,
    not_found,
)
from azure_ai_services.emulator.databricks.workspace import (
    WORKSPACE_ID,
    WORKSPACE_NAME,
    Workspace,
    check_tasks,
)
from azure_ai_services.emulator.databricks.workspace_files import NOTEBOOK_HEADERS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Request, Response

MOUNT = "/databricks"
CLUSTER_VERSIONS = ("2.0", "2.1")
JOBS_VERSIONS = ("2.1", "2.2")


class Call:
    """One request's parameters (query for GET, JSON or form body otherwise) and the workspace URL."""

    def __init__(self, request: Request, host: str) -> None:
        self.request = request
        self.host = host
        self.body: dict[str, Any] = dict(request.args.items())
        if request.method != "GET":
            if request.files or request.form:
                self.body.update(request.form.items())
            elif request.get_data(cache=True).strip():
                parsed = request.get_json(silent=True, force=True)
                if not isinstance(parsed, dict):
                    raise DatabricksError(400, "MALFORMED_REQUEST", "The request body is not a JSON object.")
                self.body.update(parsed)

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    def flag(self, key: str) -> bool:
        value = self.body.get(key, False)
        return value is True or str(value).lower() == "true"

    def integer(self, key: str, default: int) -> int:
        value = self.body.get(key, default)
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise invalid(f"{key} must be an integer, got {value!r}") from exc


class DatabricksAPI:
    """An ``EmulatorApp`` service mounted at ``/databricks``."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.rules: list[tuple[PathRule, Callable[[Call], Any]]] = []
        for version in CLUSTER_VERSIONS:
            self._clusters(f"/api/{version}/clusters")
        for version in JOBS_VERSIONS:
            self._jobs(f"/api/{version}/jobs")
        self._workspace("/api/2.0/workspace")
        self._dbfs("/api/2.0/dbfs")

    def add(self, method: str, path: str, handler: Callable[[Call], Any]) -> None:
        self.rules.append((compile_path(method, path), handler))

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        request = incoming.request
        _, name, rest = incoming.path.split("/", 2) if incoming.path.count("/") >= 2 else ("", "", "")
        try:
            if name != WORKSPACE_NAME:
                raise not_found(f"No workspace {name!r} here: the local workspace is {WORKSPACE_NAME}.")
            if rest == ".well-known/databricks-config" and request.method == "GET":
                return json_response(
                    self._host_metadata(request.host_url.rstrip("/") + incoming.mount + "/" + name)
                )
            if request.headers.get("Authorization", "") != f"Bearer {self.ws.token}":
                raise DatabricksError(401, "UNAUTHENTICATED", "Invalid access token (use DATABRICKS_TOKEN).")
            path = "/" + rest
            if is_mlflow_path(path):
                return self._mlflow(request, incoming.mount + "/" + name, path)
            for rule, handler in self.rules:
                if rule.match(request.method, path) is not None:
                    host = request.host_url.rstrip("/") + incoming.mount + "/" + name
                    answer = handler(Call(request, host))
                    return answer if hasattr(answer, "status_code") else json_response(answer or {})
            raise DatabricksError(
                501,
                "NOT_IMPLEMENTED",
                f"The local Databricks workspace does not implement {request.method} {path}",
            )
        except DatabricksError as err:
            return error_response(err)

    def _host_metadata(self, host: str) -> dict[str, Any]:
        """The unauthenticated discovery document the SDK reads at start (workspace id, cloud)."""
        return {"oidc_endpoint": f"{host}/oidc", "workspace_id": WORKSPACE_ID, "cloud": "azure"}

    def _mlflow(self, request: Request, script_name: str, path: str) -> Response:
        from werkzeug.wrappers import Response

        environ = dict(request.environ)
        environ["SCRIPT_NAME"] = script_name
        environ["PATH_INFO"] = path
        return Response.from_app(self.ws.mlflow, environ)

    # clusters
    def _clusters(self, base: str) -> None:
        clusters = self.ws.clusters
        self.add("POST", base + "/create", lambda c: {"cluster_id": clusters.create(c.body).cluster_id})
        self.add("GET", base + "/get", lambda c: clusters.get(str(c.get("cluster_id", ""))).to_json())
        self.add("GET", base + "/list", lambda c: {"clusters": [x.to_json() for x in clusters.list()]})
        self.add("POST", base + "/start", lambda c: clusters.start(str(c.get("cluster_id", ""))) and {})
        self.add("POST", base + "/delete", lambda c: clusters.terminate(str(c.get("cluster_id", ""))) and {})
        self.add(
            "POST",
            base + "/permanent-delete",
            lambda c: clusters.permanent_delete(str(c.get("cluster_id", ""))),
        )
        self.add("GET", base + "/spark-versions", lambda c: catalog.spark_versions())
        self.add("GET", base + "/list-node-types", lambda c: catalog.node_types())

    # jobs
    def _jobs(self, base: str) -> None:
        ws = self.ws
        self.add("POST", base + "/create", lambda c: {"job_id": ws.create_job(_settings(c.body))})
        self.add("GET", base + "/get", lambda c: ws.job(c.get("job_id")))
        self.add("GET", base + "/list", self.list_jobs)
        self.add("POST", base + "/delete", lambda c: ws.delete_job(c.get("job_id")))
        self.add("POST", base + "/run-now", self.run_now)
        self.add("POST", base + "/runs/submit", self.submit)
        self.add("GET", base + "/runs/get", self.get_run)
        self.add("GET", base + "/runs/list", self.list_runs)
        self.add("POST", base + "/runs/cancel", lambda c: ws.cancel(c.get("run_id")))
        self.add("POST", base + "/runs/delete", lambda c: ws.delete_run(c.get("run_id")))
        self.add("GET", base + "/runs/get-output", self.get_output)

    def list_jobs(self, call: Call) -> dict[str, Any]:
        name = call.get("name")
        found = [j for j in self.ws.jobs.values() if not name or j["settings"].get("name") == name]
        return {"jobs": sorted(found, key=lambda j: -int(j["job_id"])), "has_more": False}

    def run_now(self, call: Call) -> dict[str, Any]:
        job = self.ws.job(call.get("job_id"))
        settings = job["settings"]
        overriding = {
            k: call.get(k) for k in ("python_params", "notebook_params", "job_parameters") if call.get(k)
        }
        run = self.ws.start_run(
            settings["tasks"],
            call.host,
            job_id=job["job_id"],
            run_name=str(settings.get("name", "")),
            overriding=overriding,
            job_clusters=settings.get("job_clusters"),
        )
        return {"run_id": run.run_id, "number_in_job": run.number_in_job}

    def submit(self, call: Call) -> dict[str, Any]:
        tasks = check_tasks(call.get("tasks"), call.get("job_clusters"))
        run = self.ws.start_run(
            tasks, call.host, run_name=str(call.get("run_name") or ""), job_clusters=call.get("job_clusters")
        )
        return {"run_id": run.run_id}

    def get_run(self, call: Call) -> dict[str, Any]:
        run, task = self.ws.find_run(call.get("run_id"))
        return task.to_json() if task is not None else run.to_json()

    def list_runs(self, call: Call) -> dict[str, Any]:
        job_id = call.get("job_id")
        runs = self.ws.list_runs(int(job_id) if job_id else None, active_only=call.flag("active_only"))
        if call.flag("completed_only"):
            runs = [
                r for r in runs if r.state.life_cycle_state in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")
            ]
        limit = call.integer("limit", 25)
        return {"runs": [r.to_json() for r in runs[: max(1, limit)]], "has_more": len(runs) > limit}

    def get_output(self, call: Call) -> dict[str, Any]:
        run, task = self.ws.find_run(call.get("run_id"))
        if task is None:
            if len(run.tasks) != 1:
                raise invalid(
                    "Retrieving the output of runs with multiple tasks is not supported. Please retrieve the "
                    "output of each individual task run instead."
                )
            task = run.tasks[0]
        body: dict[str, Any] = {"metadata": {**run.to_json(), **task.to_json()}}
        if task.notebook_result is not None:
            body["notebook_output"] = {"result": task.notebook_result, "truncated": False}
        if "spark_python_task" in task.task or task.logs:
            body["logs"] = task.logs
            body["logs_truncated"] = False
        if task.error:
            body["error"] = task.error
        if task.error_trace:
            body["error_trace"] = task.error_trace
        return body

    # workspace
    def _workspace(self, base: str) -> None:
        tree = self.ws.tree
        self.add("POST", base + "/import", self.import_object)
        self.add("GET", base + "/export", self.export_object)
        self.add(
            "GET", base + "/list", lambda c: {"objects": [o.to_json() for o in tree.list(c.get("path"))]}
        )
        self.add("GET", base + "/get-status", lambda c: tree.get(c.get("path")).to_json())
        self.add("POST", base + "/mkdirs", lambda c: tree.mkdirs(c.get("path")))
        self.add("POST", base + "/delete", lambda c: tree.delete(c.get("path"), c.flag("recursive")))

    def import_object(self, call: Call) -> dict[str, Any]:
        upload = call.request.files.get("content")
        content = upload.read() if upload is not None else decode_base64(call.get("content", ""), "content")
        fmt = str(call.get("format") or "SOURCE").upper()
        path = str(call.get("path") or "")
        language = str(call.get("language") or "").upper()
        if fmt == "SOURCE" and not language:
            raise invalid("The language field is required for SOURCE format imports (e.g. PYTHON).")
        if fmt == "AUTO":
            is_notebook = content.lstrip().startswith(NOTEBOOK_HEADERS["PYTHON"].encode())
            language = "PYTHON" if is_notebook and path.endswith(".py") else ""
            path = path.removesuffix(".py") if language else path
        elif fmt not in ("SOURCE", "RAW"):
            raise invalid(f"Import format {fmt} is not supported locally: use SOURCE, AUTO or RAW.")
        if fmt == "RAW":
            language = ""
        self.ws.tree.put(path, content, language, call.flag("overwrite"))
        return {}

    def export_object(self, call: Call) -> Any:
        from werkzeug.wrappers import Response

        found = self.ws.tree.get(call.get("path"))
        if found.object_type == "DIRECTORY":
            raise invalid(
                f"{found.path} is a directory: export a notebook or file (DBC archives are not built)."
            )
        if call.flag("direct_download"):
            return Response(found.content, content_type="application/octet-stream")
        return {
            "content": base64.b64encode(found.content).decode(),
            "file_type": "py" if found.language else "",
        }

    # dbfs
    def _dbfs(self, base: str) -> None:
        dbfs = self.ws.dbfs
        self.add("POST", base + "/put", self.put_file)
        self.add("GET", base + "/read", self.read_file)
        self.add("GET", base + "/list", lambda c: {"files": dbfs.list(c.get("path"))})
        self.add("GET", base + "/get-status", lambda c: dbfs.status(c.get("path")))
        self.add("POST", base + "/mkdirs", lambda c: dbfs.mkdirs(c.get("path")))
        self.add("POST", base + "/delete", lambda c: dbfs.delete(c.get("path"), c.flag("recursive")))
        self.add(
            "POST", base + "/create", lambda c: {"handle": dbfs.create(c.get("path"), c.flag("overwrite"))}
        )
        self.add(
            "POST",
            base + "/add-block",
            lambda c: dbfs.add_block(c.get("handle"), decode_base64(c.get("data"), "data")),
        )
        self.add("POST", base + "/close", lambda c: dbfs.close(c.get("handle")))

    def put_file(self, call: Call) -> dict[str, Any]:
        upload = call.request.files.get("contents")
        contents = (
            upload.read() if upload is not None else decode_base64(call.get("contents", ""), "contents")
        )
        self.ws.dbfs.put(call.get("path"), contents, call.flag("overwrite"))
        return {}

    def read_file(self, call: Call) -> dict[str, Any]:
        data = self.ws.dbfs.read(
            call.get("path"), call.integer("offset", 0), call.integer("length", 512 * 1024)
        )
        return {"bytes_read": len(data), "data": base64.b64encode(data).decode()}


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("access_control_list",)}
