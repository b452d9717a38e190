"""CLU's REST routes: authoring (``/language/authoring/analyze-conversations/...``) and the runtime.

The authoring jobs answer 202 with ``operation-location`` (the job's status resource, polled by azure-core's
``LROBasePolling``); a deployment ``PUT`` is polled the same way and then read back with ``GET``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.conversations.projects import ConversationProjects
from azure_ai_services.emulator.service_errors import invalid_request, not_computed

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

API_VERSIONS = ("2022-05-01", "2023-04-01", "2023-11-15-preview", "2024-11-01", "2024-11-15-preview")
AUTHORING = "/language/authoring/analyze-conversations/projects"
PROJECT = AUTHORING + "/{projectName}"
MAX_UTTERANCE_CHARS = 500


class Conversations:
    """The routes over one :class:`ConversationProjects` store."""

    def __init__(self, store: ConversationProjects) -> None:
        self.store = store

    def routes(self) -> AzureRoutes:
        return AzureRoutes(
            {
                ("POST", "/language/:analyze-conversations"): self.analyze,
                ("GET", AUTHORING + "/global/deletion-jobs/{jobId}"): self.deletion_job,
                ("GET", AUTHORING): self.list_projects,
                ("GET", PROJECT): self.get_project,
                ("DELETE", PROJECT): self.delete_project,
                ("POST", PROJECT + "/:import"): self.import_project,
                ("GET", PROJECT + "/import/jobs/{jobId}"): self.import_job,
                ("POST", PROJECT + "/:train"): self.train,
                ("GET", PROJECT + "/train/jobs/{jobId}"): self.train_job,
                ("GET", PROJECT + "/models"): self.list_models,
                ("GET", PROJECT + "/deployments"): self.list_deployments,
                ("GET", PROJECT + "/deployments/{deploymentName}"): self.get_deployment,
                ("PUT", PROJECT + "/deployments/{deploymentName}"): self.deploy,
                ("DELETE", PROJECT + "/deployments/{deploymentName}"): self.delete_deployment,
                ("GET", PROJECT + "/deployments/{deploymentName}/jobs/{jobId}"): self.deployment_job,
            },
            api_versions=API_VERSIONS,
        )

    # ------------------------------------------------------------------ authoring
    def list_projects(self, request: Request) -> dict[str, Any]:
        projects = sorted(self.store.projects.values(), key=lambda p: str(p.metadata["projectName"]))
        return {"value": [project.describe() for project in projects]}

    def get_project(self, request: Request, projectName: str) -> dict[str, Any]:  # noqa: N803 - the spec's name
        return self.store.project(projectName).describe()

    def import_project(self, request: Request, projectName: str) -> Response:  # noqa: N803
        job_id = self.store.start_import(projectName, json_body(request))
        return _accepted(request, f"{PROJECT.format(projectName=projectName)}/import/jobs/{job_id}")

    def import_job(self, request: Request, projectName: str, jobId: str) -> Response:  # noqa: N803
        return _job(self.store.job(jobId, "import"))

    def train(self, request: Request, projectName: str) -> Response:  # noqa: N803
        job_id = self.store.start_training(projectName, json_body(request))
        return _accepted(request, f"{PROJECT.format(projectName=projectName)}/train/jobs/{job_id}")

    def train_job(self, request: Request, projectName: str, jobId: str) -> Response:  # noqa: N803
        return _job(self.store.job(jobId, "train"))

    def list_models(self, request: Request, projectName: str) -> dict[str, Any]:  # noqa: N803
        project = self.store.project(projectName)
        return {
            "value": [
                {
                    "label": label,
                    "modelId": label,
                    "lastTrainedDateTime": project.model_times[label],
                    "lastTrainingDurationInSeconds": 0,
                    "modelExpirationDate": project.model_times[label][:10],
                    "modelTrainingConfigVersion": "2022-09-01",
                    "hasSnapshot": False,
                }
                for label in project.models
            ]
        }

    def list_deployments(self, request: Request, projectName: str) -> dict[str, Any]:  # noqa: N803
        return {"value": list(self.store.project(projectName).deployments.values())}

    def get_deployment(self, request: Request, projectName: str, deploymentName: str) -> dict[str, Any]:  # noqa: N803
        return self.store.deployment(projectName, deploymentName)

    def deploy(self, request: Request, projectName: str, deploymentName: str) -> Response:  # noqa: N803
        job_id = self.store.start_deployment(projectName, deploymentName, json_body(request))
        path = f"{PROJECT.format(projectName=projectName)}/deployments/{deploymentName}/jobs/{job_id}"
        return _accepted(request, path)

    def delete_deployment(self, request: Request, projectName: str, deploymentName: str) -> Response:  # noqa: N803
        job_id = self.store.start_deployment_deletion(projectName, deploymentName)
        path = f"{PROJECT.format(projectName=projectName)}/deployments/{deploymentName}/jobs/{job_id}"
        return _accepted(request, path)

    def deployment_job(self, request: Request, projectName: str, deploymentName: str, jobId: str) -> Response:  # noqa: N803
        return _job(self.store.job(jobId, f"deploy/{deploymentName.lower()}"))

    def delete_project(self, request: Request, projectName: str) -> Response:  # noqa: N803
        job_id = self.store.start_project_deletion(projectName)
        return _accepted(request, f"{AUTHORING}/global/deletion-jobs/{job_id}")

    def deletion_job(self, request: Request, jobId: str) -> Response:  # noqa: N803
        return _job(self.store.job(jobId, "delete"))

    # ------------------------------------------------------------------ runtime
    def analyze(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        kind = body.get("kind")
        if kind != "Conversation":
            if kind in ("ConversationalPIITask", "ConversationalSummarizationTask", "Orchestration"):
                raise not_computed(f"kind={kind}", "only Conversation (CLU intents and entities) is computed")
            raise invalid_request("InvalidParameterValue", f"Invalid task kind {kind!r}: use 'Conversation'.")
        parameters = body.get("parameters")
        item = (body.get("analysisInput") or {}).get("conversationItem")
        if not isinstance(parameters, dict):
            raise invalid_request(
                "InvalidParameterValue", "The task needs 'parameters' with projectName and deploymentName."
            )
        project_name, deployment_name = parameters.get("projectName"), parameters.get("deploymentName")
        if not isinstance(project_name, str) or not isinstance(deployment_name, str):
            raise invalid_request(
                "InvalidParameterValue", "parameters.projectName and parameters.deploymentName are required."
            )
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise invalid_request(
                "InvalidDocument", "analysisInput.conversationItem needs a non-empty 'text'."
            )
        text = item["text"]
        if len(text) > MAX_UTTERANCE_CHARS:
            raise invalid_request(
                "InvalidDocument",
                f"The query is too long: at most {MAX_UTTERANCE_CHARS} characters are allowed.",
            )
        project, model = self.store.model_for(project_name, deployment_name)
        intents = model.intents(text)
        result: dict[str, Any] = {
            "query": text,
            "prediction": {
                "topIntent": model.top_intent(intents),
                "projectKind": "Conversation",
                "intents": intents,
                "entities": model.entities(text),
            },
        }
        if item.get("language") or project.metadata.get("language"):
            result["detectedLanguage"] = str(item.get("language") or project.metadata["language"])
        return {"kind": "ConversationResult", "result": result}


def _accepted(request: Request, path: str) -> Response:
    """202 with ``operation-location`` (the job's status URL with the api-version) and ``Retry-After``."""
    version = request.args.get("api-version", "")
    location = f"{request.host_url.rstrip('/')}{path}?api-version={version}"
    answer: Response = json_response(None, 202, {"operation-location": location, "Retry-After": "1"})
    return answer


def _job(body: dict[str, Any]) -> Response:
    """A job's status resource; ``Retry-After`` while it runs (azure-core's poller waits that long)."""
    headers = {"Retry-After": "1"} if body["status"] in ("notStarted", "running") else {}
    answer: Response = json_response(body, 200, headers)
    return answer
