"""AzureMLDeployer: register a model, serve it from a managed online endpoint (blue/green), invoke, clean up.

The same calls work against Azure (``CLOUDAI_MODE=cloud``) and the local cloud, where each deployment's
scoring script really runs (``init()`` once with ``AZUREML_MODEL_DIR``, ``run()`` per request) in a worker
process and the endpoint splits traffic by the weights you set.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure_ai_services.azure_ml.training import SKLEARN_ENVIRONMENT, AzureMLTrainer

if TYPE_CHECKING:  # pragma: no cover
    from azure.ai.ml import MLClient


class AzureMLDeployer:
    """Models and online endpoints of one workspace (the ``MLClient`` of an :class:`AzureMLTrainer`)."""

    def __init__(self, ml_client: MLClient | None = None, *, show_progress: bool = True) -> None:
        self._trainer = AzureMLTrainer(ml_client, show_progress=show_progress)

    @property
    def client(self) -> MLClient:
        return self._trainer.client

    def register_model(
        self, path: str | Path, name: str, *, mlflow: bool = False, description: str = ""
    ) -> Any:
        """``models.create_or_update``: a local folder or file, or ``azureml://jobs/<job>/outputs/...``."""
        from azure.ai.ml.constants import AssetTypes
        from azure.ai.ml.entities import Model

        kind = AssetTypes.MLFLOW_MODEL if mlflow else AssetTypes.CUSTOM_MODEL
        return self.client.models.create_or_update(
            Model(path=str(path), name=name, type=kind, description=description)
        )

    def create_endpoint(self, name: str, *, description: str = "") -> Any:
        """A managed online endpoint with key authentication (waits for the long-running operation)."""
        from azure.ai.ml.entities import ManagedOnlineEndpoint

        endpoint = ManagedOnlineEndpoint(name=name, auth_mode="key", description=description)
        return self.client.online_endpoints.begin_create_or_update(endpoint).result()

    def deploy(
        self,
        endpoint: str,
        name: str,
        model: Any,
        *,
        code_dir: str | Path | None = None,
        scoring_script: str = "score.py",
        environment: str = SKLEARN_ENVIRONMENT,
        instance_type: str = "Standard_DS3_v2",
        instance_count: int = 1,
        collect_requests: bool = False,
    ) -> Any:
        """A deployment of ``model``: a scoring script in ``code_dir``, or none for an MLflow model."""
        from azure.ai.ml.entities import CodeConfiguration, ManagedOnlineDeployment

        options: dict[str, Any] = {}
        if code_dir is not None:
            options["code_configuration"] = CodeConfiguration(
                code=str(code_dir), scoring_script=scoring_script
            )
            options["environment"] = environment
        if collect_requests:
            from azure.ai.ml.entities import DataCollector, DeploymentCollection

            options["data_collector"] = DataCollector(
                collections={
                    "model_inputs": DeploymentCollection(enabled="true"),
                    "model_outputs": DeploymentCollection(enabled="true"),
                }
            )
        deployment = ManagedOnlineDeployment(
            name=name,
            endpoint_name=endpoint,
            model=model,
            instance_type=instance_type,
            instance_count=instance_count,
            **options,
        )
        return self.client.online_deployments.begin_create_or_update(deployment).result()

    def set_traffic(self, endpoint: str, traffic: Mapping[str, int]) -> dict[str, int]:
        """Route ``traffic`` percentages (summing to 100) to the endpoint's deployments."""
        current = self.client.online_endpoints.get(endpoint)
        current.traffic = dict(traffic)
        updated = self.client.online_endpoints.begin_create_or_update(current).result()
        return {name: int(share) for name, share in updated.traffic.items()}

    def invoke(self, endpoint: str, payload: Any, *, deployment: str | None = None) -> Any:
        """``online_endpoints.invoke`` with ``payload`` as the request file; the decoded JSON answer.

        azure-ai-ml (1.35) keeps the ``azureml-model-deployment`` header of a pinned invoke in a shared
        dict, so every later invoke in the process would stay pinned: it is dropped first.
        """
        from azure.ai.ml.constants._endpoint import EndpointInvokeFields

        EndpointInvokeFields.DEFAULT_HEADER.pop(EndpointInvokeFields.MODEL_DEPLOYMENT, None)
        with tempfile.TemporaryDirectory(prefix="cloudai-invoke-") as folder:
            request_file = Path(folder, "request.json")
            request_file.write_text(json.dumps(payload))
            answer = self.client.online_endpoints.invoke(
                endpoint_name=endpoint, request_file=str(request_file), deployment_name=deployment
            )
        return json.loads(answer)

    def logs(self, endpoint: str, deployment: str, lines: int = 50) -> str:
        return str(
            self.client.online_deployments.get_logs(name=deployment, endpoint_name=endpoint, lines=lines)
        )

    def delete_endpoint(self, endpoint: str) -> None:
        """Delete the endpoint and its deployments (their instances stop)."""
        self.client.online_endpoints.begin_delete(name=endpoint).result()
