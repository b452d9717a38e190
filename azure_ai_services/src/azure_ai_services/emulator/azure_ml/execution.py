"""Run one command job: stage code and inputs from Azurite, resolve ``${{...}}``, run, upload results."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.jobs.contracts import AzureMLContract
from multi_cloud.emulation.jobs.layout import ContainerLayout
from multi_cloud.emulation.jobs.script_mode import ScriptResult, run_script

from azure_ai_services.emulator.azure_ml.jobs import JobRecord, now
from azure_ai_services.emulator.azure_ml.storage import download_prefix, upload_tree

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.jobs.store import BackgroundJob

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

BINDING = re.compile(r"\$\{\{\s*(?P<kind>inputs|outputs)\.(?P<name>[\w-]+)\s*\}\}")
DATASTORE_URI = re.compile(r"^azureml://datastores/(?P<datastore>[^/]+)/paths/(?P<path>.+)$")
LOG_NAME = "user_logs/std_log.txt"
TIMEOUT_SECONDS = 3600


def run_prefix(name: str) -> str:
    """Where a job's logs and ``./outputs`` go in the workspace container (as Azure ML stores them)."""
    return f"ExperimentRun/dcid.{name}"


class CommandRun:
    """One command job's execution, in its own work directory, updating ``record`` as it goes."""

    def __init__(self, ml: AzureML, record: JobRecord, control: BackgroundJob) -> None:
        self.ml = ml
        self.record = record
        self.control = control
        self.container: Any = None

    def run(self) -> None:
        record = self.record
        record.status, record.start_time = "Queued", now()
        work = Path(tempfile.mkdtemp(prefix="cloudai-azureml-"))
        try:
            self.container = self.ml.blobs.container(self.ml.container_name(record.scope))
            self._write_log("")
            record.status = "Running"
            result = self._execute(work)
            self._finish(result, work)
        except Exception as problem:  # noqa: BLE001 - the job fails with the reason, as Azure ML reports it
            reason = (
                str(problem) if isinstance(problem, _Unrunnable) else f"{type(problem).__name__}: {problem}"
            )
            self._fail(reason)
            if self.container is not None:
                self._write_log(reason + "\n")
        finally:
            shutil.rmtree(work, ignore_errors=True)
            record.end_time = now()

    def _execute(self, work: Path) -> ScriptResult:
        properties = self.record.properties
        code = work / "code"
        code.mkdir()
        if properties.get("codeId"):
            self._stage_code(str(properties["codeId"]), code)
        layout = ContainerLayout(work / "container")
        inputs = self._stage_inputs(dict(properties.get("inputs") or {}), layout)
        outputs = {name: str(layout.output_dir / name) for name in properties.get("outputs") or {}}
        for path in outputs.values():
            Path(path).mkdir(parents=True, exist_ok=True)
        command = BINDING.sub(lambda m: self._bind(m, inputs, outputs), str(properties.get("command", "")))
        args = shlex.split(command)
        if args and args[0] in ("python", "python3"):
            args[0] = sys.executable
        else:
            args = ["/bin/sh", "-c", command]
        contract = AzureMLContract(
            run_id=self.record.name,
            experiment_name=str(properties.get("experimentName") or "Default"),
            outputs=outputs,
        )
        env = dict(os.environ)
        if self.record.tracking_uri:
            env["MLFLOW_TRACKING_URI"] = self.record.tracking_uri
        return run_script(
            code,
            layout,
            base_env=env,
            command=args,
            channels=list(inputs),
            contract=contract,
            timeout=TIMEOUT_SECONDS,
            should_stop=self.control.stop_requested.is_set,
            watch=self._write_log,
        )

    def _bind(self, match: re.Match[str], inputs: dict[str, str], outputs: dict[str, str]) -> str:
        table = inputs if match.group("kind") == "inputs" else outputs
        name = match.group("name")
        if name not in table:
            raise _Unrunnable(
                f"the command refers to ${{{{{match.group('kind')}.{name}}}}}, which the job lacks"
            )
        return shlex.quote(table[name])

    def _stage_code(self, code_id: str, target: Path) -> None:
        parts = code_id.rstrip("/").split("/")
        code = self.ml.resources.find(self.record.scope, "codes", parts[-3], parts[-1])
        if code is None:
            raise _Unrunnable(f"code asset {code_id} was not found")
        container, prefix = self.ml.locate(str(code["properties"].get("codeUri", "")), self.record.scope)
        if download_prefix(self.ml.blobs.container(container), prefix, target) == 0:
            raise _Unrunnable(f"code asset {code_id} holds no files in the workspace's blob store")

    def _stage_inputs(self, inputs: dict[str, Any], layout: ContainerLayout) -> dict[str, str]:
        """Literal inputs as their value; files and folders downloaded into the layout's channels."""
        staged: dict[str, str] = {}
        for name, spec in inputs.items():
            kind = str(spec.get("jobInputType", "")).lower()
            if kind == "literal":
                staged[name] = str(spec.get("value", ""))
                continue
            container_name, prefix = self.ml.locate(str(spec.get("uri", "")), self.record.scope)
            container = self.ml.blobs.container(container_name)
            channel = layout.channel(name)
            channel.mkdir(parents=True, exist_ok=True)
            if kind == "uri_file":
                target = channel / Path(prefix).name
                target.write_bytes(container.download_blob(prefix).readall())
                staged[name] = str(target)
            else:
                download_prefix(container, prefix, channel)
                staged[name] = str(channel)
        return staged

    def _finish(self, result: ScriptResult, work: Path) -> None:
        record = self.record
        prefix = run_prefix(record.name)
        self._write_log(result.logs)
        local_outputs = work / "code" / "outputs"
        if local_outputs.is_dir():
            upload_tree(self.container, local_outputs, f"{prefix}/outputs")
        for name in record.properties.get("outputs") or {}:
            blob_prefix = f"azureml/{record.name}/{name}"
            upload_tree(self.container, Path(result.output_dir) / name, blob_prefix)
            record.outputs[name] = f"azureml://datastores/workspaceblobstore/paths/{blob_prefix}/"
        if result.stopped or self.control.stop_requested.is_set():
            record.status = "Canceled"
        elif result.succeeded:
            record.status = "Completed"
        else:
            self._fail(result.failure_reason)

    def _write_log(self, text: str) -> None:
        """``user_logs/std_log.txt`` now: the script's stdout while it runs, all its output at the end."""
        name = f"{run_prefix(self.record.name)}/{LOG_NAME}"
        self.container.upload_blob(name, text.encode(), overwrite=True)
        self.record.has_log = True

    def _fail(self, reason: str) -> None:
        self.record.error = {"code": "UserError", "message": reason}
        self.record.status = "Failed"


class _Unrunnable(Exception):
    """The job cannot start (missing code, unknown binding): it fails with this message."""
