"""Batch endpoints and deployments: an invocation is a job scoring the input files in mini-batches."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.operations import AsyncOperation

from azure_ai_services.emulator.azure_ml.jobs import JobRecord, now
from azure_ai_services.emulator.azure_ml.model_files import versioned
from azure_ai_services.emulator.azure_ml.resources import Scope
from azure_ai_services.emulator.azure_ml.sweep import PARENT_PROPERTY

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.jobs.store import BackgroundJob

    from azure_ai_services.emulator.azure_ml.workspace import AzureML

DRIVER = "azure_ai_services.emulator.azure_ml.batch_driver"


@dataclass
class BatchEndpoint:
    scope: Scope
    name: str
    body: dict[str, Any]
    state: str = "Creating"
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: str = field(default_factory=now)

    @property
    def default_deployment(self) -> str:
        defaults = self.body.get("properties", {}).get("defaults") or {}
        return str(defaults.get("deploymentName") or "")


class BatchEndpoints:
    """Every workspace's batch endpoints; invocations run as jobs in the workspace's job book."""

    def __init__(self, ml: AzureML) -> None:
        self.ml = ml
        self._endpoints: dict[tuple[str, str], BatchEndpoint] = {}
        self._lock = threading.Lock()

    def find(self, scope: Scope, name: str) -> BatchEndpoint | None:
        with self._lock:
            return self._endpoints.get((scope.id.lower(), name.lower()))

    def get(self, scope: Scope, name: str) -> BatchEndpoint:
        found = self.find(scope, name)
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"Batch endpoint '{name}' was not found in workspace {scope.workspace}.",
            )
        return found

    def list(self, scope: Scope) -> list[BatchEndpoint]:
        with self._lock:
            return [e for (ws, _), e in self._endpoints.items() if ws == scope.id.lower()]

    def put_endpoint(
        self, scope: Scope, name: str, body: dict[str, Any]
    ) -> tuple[BatchEndpoint, AsyncOperation]:
        properties = dict(body.get("properties") or {})
        properties["authMode"] = "AADToken"
        with self._lock:
            endpoint = self._endpoints.get((scope.id.lower(), name.lower()))
            if endpoint is None:
                endpoint = BatchEndpoint(scope, name, {**body, "properties": properties})
                self._endpoints[(scope.id.lower(), name.lower())] = endpoint
            else:
                endpoint.body = {**endpoint.body, **body, "properties": properties}
        default = endpoint.default_deployment
        if default and default not in endpoint.deployments:
            raise AzureError(400, "BadArgument", f"The default deployment '{default}' does not exist.")

        def work(operation: AsyncOperation) -> None:
            endpoint.state = "Succeeded"

        return endpoint, self.ml.online.operations.start(_op_scope(scope), work)

    def delete_endpoint(self, scope: Scope, name: str) -> AsyncOperation:
        self.get(scope, name)

        def work(operation: AsyncOperation) -> None:
            with self._lock:
                self._endpoints.pop((scope.id.lower(), name.lower()), None)

        return self.ml.online.operations.start(_op_scope(scope), work)

    def deployment(self, scope: Scope, endpoint_name: str, name: str) -> dict[str, Any]:
        found = self.get(scope, endpoint_name).deployments.get(name)
        if found is None:
            raise AzureError(
                404,
                "ResourceNotFound",
                f"Deployment '{name}' was not found in batch endpoint '{endpoint_name}'.",
            )
        return found

    def put_deployment(
        self, scope: Scope, endpoint_name: str, name: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], AsyncOperation]:
        endpoint = self.get(scope, endpoint_name)
        properties = dict(body.get("properties") or {})
        model_id = _model_id(properties.get("model"))
        model_name, version = versioned(model_id, "models")
        if self.ml.resources.find(scope, "models", model_name, version) is None:
            raise AzureError(404, "ResourceNotFound", f"Model '{model_name}:{version}' was not found.")
        compute = str(properties.get("compute") or "").rstrip("/").split("/")[-1]
        if not compute or self.ml.resources.find(scope, "computes", compute) is None:
            raise AzureError(
                400,
                "BadArgument",
                f"A batch deployment needs an existing compute cluster; '{compute}' was not found.",
            )
        properties["provisioningState"] = "Creating"
        properties.setdefault("miniBatchSize", 10)
        properties.setdefault("outputFileName", "predictions.csv")
        properties.setdefault("outputAction", "AppendRow")
        deployment = {**body, "name": name, "properties": properties, "created": now()}
        with self._lock:
            endpoint.deployments[name] = deployment
            if not endpoint.default_deployment:  # the first deployment becomes the default
                endpoint.body.setdefault("properties", {})["defaults"] = {"deploymentName": name}

        def work(operation: AsyncOperation) -> None:
            properties["provisioningState"] = "Succeeded"

        return deployment, self.ml.online.operations.start(_op_scope(scope), work)

    def delete_deployment(self, scope: Scope, endpoint_name: str, name: str) -> AsyncOperation:
        endpoint = self.get(scope, endpoint_name)
        self.deployment(scope, endpoint_name, name)
        if endpoint.default_deployment == name and len(endpoint.deployments) > 1:
            raise AzureError(
                400, "BadArgument", f"'{name}' is the default deployment; make another the default first."
            )

        def work(operation: AsyncOperation) -> None:
            with self._lock:
                endpoint.deployments.pop(name, None)

        return self.ml.online.operations.start(_op_scope(scope), work)

    def invoke(
        self, scope: Scope, endpoint_name: str, pinned: str, body: dict[str, Any], tracking: str
    ) -> Any:
        """Start the scoring job for one invocation; the job's resource."""
        endpoint = self.get(scope, endpoint_name)
        name = pinned or endpoint.default_deployment
        deployment = self.deployment(scope, endpoint_name, name)
        properties = deployment["properties"]
        data = _input_data(body)
        model_name, version = versioned(_model_id(properties.get("model")), "models")
        model = self.ml.resources.get(scope, "models", model_name, version)
        model_uri = str(model["properties"].get("modelUri") or "")
        leaf = model_uri.rstrip("/").split("/")[-1] or "model"
        code = properties.get("codeConfiguration") or {}
        script = str(code.get("scoringScript") or "")
        command = (
            f"python -m {DRIVER} --model ${{{{inputs.model}}}} --model-leaf {leaf} "
            f"--data ${{{{inputs.input_data}}}} "
            f"--output ${{{{outputs.score}}}} --mini-batch-size {int(properties.get('miniBatchSize') or 10)} "
            f"--output-file {properties.get('outputFileName') or 'predictions.csv'}"
            + (f" --script {script}" if script else "")
        )
        job_properties = {
            "jobType": "Command",
            "command": command,
            "codeId": code.get("codeId"),
            "environmentId": properties.get("environmentId")
            or "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest",
            "computeId": properties.get("compute"),
            "experimentName": endpoint_name,
            "displayName": f"{endpoint_name}-{name}",
            "inputs": {"model": {"jobInputType": "custom_model", "uri": model_uri}, "input_data": data},
            "outputs": {"score": {"jobOutputType": "uri_folder"}},
            "tags": {
                "azureml.batchrun": "true",
                "azureml.deploymentname": name,
                "azureml.endpointname": endpoint_name,
            },
        }
        parent = JobRecord(
            scope,
            f"batchjob-{uuid.uuid4()}",
            {
                "jobType": "Pipeline",
                "jobs": {},
                "computeId": properties.get("compute"),
                "experimentName": endpoint_name,
                "displayName": f"{endpoint_name}-{name}",
                "inputs": {"input_data": data},
                "outputs": {"score": {"jobOutputType": "uri_folder"}},
                "tags": job_properties.pop("tags"),
            },
            tracking_uri=tracking,
        )
        parent.tags = dict(parent.properties["tags"])
        self.ml.jobs.add(parent)
        self.ml.jobs.runs.submit(
            parent.key, "azureml", lambda control: BatchRun(self.ml, parent, control, job_properties).run()
        )
        return parent.resource()

    def reset(self) -> None:
        with self._lock:
            self._endpoints.clear()


class BatchRun:
    """A batch invocation as Azure runs it: a parent job whose one child, ``batchscoring``, scores."""

    def __init__(self, ml: AzureML, parent: JobRecord, control: BackgroundJob, child: dict[str, Any]) -> None:
        self.ml = ml
        self.parent = parent
        self.control = control
        self.child_properties = child

    def run(self) -> None:
        from azure_ai_services.emulator.azure_ml.execution import CommandRun

        parent = self.parent
        parent.status, parent.start_time = "Running", now()
        properties = {**self.child_properties, "displayName": "batchscoring"}
        properties["properties"] = {PARENT_PROPERTY: parent.name, "azureml.nodeid": "batchscoring"}
        child = JobRecord(
            parent.scope, f"{parent.name}_batchscoring", properties, tracking_uri=parent.tracking_uri
        )
        self.ml.jobs.add(child)
        CommandRun(self.ml, child, self.control).run()
        parent.outputs = dict(child.outputs)
        parent.error = child.error
        parent.status = child.status
        parent.end_time = now()
        # the parent's log is the child's: jobs.stream reads it
        parent.has_log = child.has_log
        if child.has_log:
            from azure_ai_services.emulator.azure_ml.execution import LOG_NAME, run_prefix

            container = self.ml.blobs.container(self.ml.container_name(parent.scope))
            text = container.download_blob(f"{run_prefix(child.name)}/{LOG_NAME}").readall()
            container.upload_blob(f"{run_prefix(parent.name)}/{LOG_NAME}", text, overwrite=True)


def _model_id(model: Any) -> str:
    if isinstance(model, dict):
        return str(model.get("assetId") or model.get("id") or "")
    return str(model or "")


def _input_data(body: dict[str, Any]) -> dict[str, Any]:
    properties = body.get("properties") or {}
    inputs = properties.get("inputData") or properties.get("InputData") or {}
    if not isinstance(inputs, dict) or not inputs:
        raise AzureError(
            400, "BadArgument", "An invocation needs input data (input=Input(type='uri_folder', path=...))."
        )
    spec = inputs.get("input_data") or next(iter(inputs.values()))
    uri = spec.get("uri") or spec.get("Uri") or spec.get("path")
    kind = str(spec.get("jobInputType") or spec.get("JobInputType") or "uri_folder").lower()
    if not uri:
        raise AzureError(400, "BadArgument", f"The input data has no uri: {spec}")
    return {"jobInputType": "uri_file" if kind in ("urifile", "uri_file") else "uri_folder", "uri": uri}


def _op_scope(scope: Scope) -> str:
    return f"/subscriptions/{scope.subscription}/providers/Microsoft.MachineLearningServices/locations/local"
