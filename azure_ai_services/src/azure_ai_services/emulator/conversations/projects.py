"""CLU projects, their trained models and deployments, and the authoring jobs that change them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from multi_cloud.emulation.protocols.azure.errors import AzureError
from multi_cloud.emulation.protocols.azure.operations import AsyncOperation, AsyncOperationStore

from azure_ai_services.emulator.conversations.intent_model import IntentModel, train_intent_model
from azure_ai_services.emulator.service_errors import ServiceError

TRAINING_CONFIG_VERSION = "2022-09-01"
#: status resources are kept for the last this many jobs (the service keeps them for days)
KEPT_JOBS = 500
JOB_STATUS = {"InProgress": "running", "Succeeded": "succeeded", "Failed": "failed", "Canceled": "cancelled"}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def bad_project(message: str) -> ServiceError:
    return ServiceError(400, "InvalidRequest", message, inner_code="InvalidRequestBodyFormat")


def project_not_found(name: str) -> AzureError:
    return AzureError(404, "ProjectNotFound", f"The project '{name}' could not be found.")


@dataclass
class Project:
    """An imported project: its metadata and assets as imported, its models and deployments."""

    metadata: dict[str, Any]
    assets: dict[str, Any]
    created: str = field(default_factory=now)
    modified: str = field(default_factory=now)
    last_trained: str = ""
    last_deployed: str = ""
    models: dict[str, IntentModel] = field(default_factory=dict)
    model_times: dict[str, str] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return float((self.metadata.get("settings") or {}).get("confidenceThreshold", 0.0))

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "projectName": self.metadata["projectName"],
            "projectKind": self.metadata["projectKind"],
            "language": self.metadata["language"],
            "multilingual": bool(self.metadata.get("multilingual", False)),
            "description": str(self.metadata.get("description", "")),
            "settings": {"confidenceThreshold": self.threshold},
            "createdDateTime": self.created,
            "lastModifiedDateTime": self.modified,
        }
        if self.last_trained:
            body["lastTrainedDateTime"] = self.last_trained
        if self.last_deployed:
            body["lastDeployedDateTime"] = self.last_deployed
        return body


@dataclass
class Job:
    """An authoring job: the operation that runs it and what its status resource shows."""

    operation: AsyncOperation
    running_result: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        operation = self.operation
        created = datetime.fromisoformat(operation.start_time.replace("Z", "+00:00"))
        body: dict[str, Any] = {
            "jobId": operation.id,
            "createdDateTime": operation.start_time,
            "lastUpdatedDateTime": operation.end_time or operation.start_time,
            "expirationDateTime": (created + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
            "status": JOB_STATUS[operation.status],
            "warnings": [],
        }
        if operation.error is not None:
            body["errors"] = [operation.error.error()]
        result = operation.resource if operation.resource is not None else self.running_result
        if result is not None:
            body["result"] = result
        return body


class ConversationProjects:
    """Projects by name (case-insensitive, as the service treats them) and the jobs that change them."""

    def __init__(self) -> None:
        self.projects: dict[str, Project] = {}
        self.jobs: dict[str, Job] = {}
        self.operations = AsyncOperationStore()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.projects.clear()
            self.jobs.clear()

    # ------------------------------------------------------------------ lookups
    def project(self, name: str) -> Project:
        with self._lock:
            found = self.projects.get(name.lower())
        if found is None:
            raise project_not_found(name)
        return found

    def job(self, job_id: str, kind: str) -> dict[str, Any]:
        job = self.jobs.get(f"{kind}/{job_id}")
        if job is None:
            raise AzureError(404, "OperationNotFound", f"The {kind} job '{job_id}' could not be found.")
        return job.body()

    def deployment(self, project_name: str, deployment_name: str) -> dict[str, Any]:
        project = self.project(project_name)
        found = project.deployments.get(deployment_name.lower())
        if found is None:
            raise AzureError(
                404,
                "NotFound",
                f"The deployment '{deployment_name}' could not be found in project '{project_name}'.",
            )
        return found

    def model_for(self, project_name: str, deployment_name: str) -> tuple[Project, IntentModel]:
        project = self.project(project_name)
        deployment = self.deployment(project_name, deployment_name)
        return project, project.models[deployment["modelId"]]

    # ------------------------------------------------------------------ jobs
    def _start(self, kind: str, scope: str, work: Any, running_result: dict[str, Any] | None = None) -> str:
        operation = self.operations.start(scope, work)
        job_id: str = operation.id
        with self._lock:
            self.jobs[f"{kind}/{operation.id}"] = Job(operation, running_result)
            while len(self.jobs) > KEPT_JOBS:
                self.jobs.pop(next(iter(self.jobs)))
        return job_id

    def start_import(self, name: str, body: dict[str, Any]) -> str:
        metadata, assets = validate_project(name, body)

        def work(_: AsyncOperation) -> None:
            with self._lock:
                previous = self.projects.get(name.lower())
                project = Project(metadata, assets)
                if previous is not None:
                    project.created = previous.created
                self.projects[name.lower()] = project

        return self._start("import", name, work)

    def start_training(self, name: str, body: dict[str, Any]) -> str:
        project = self.project(name)
        label = body.get("modelLabel")
        if not isinstance(label, str) or not label.strip():
            raise bad_project("The training request needs a 'modelLabel' string.")
        mode = str(body.get("trainingMode") or "standard")
        if mode not in ("standard", "advanced"):
            raise bad_project(f"Invalid trainingMode {mode!r}: use 'standard' or 'advanced'.")
        started = now()
        result = {
            "modelLabel": label,
            "trainingConfigVersion": TRAINING_CONFIG_VERSION,
            "trainingMode": mode,
            "trainingStatus": {"percentComplete": 0, "status": "running", "startDateTime": started},
            "evaluationStatus": {"percentComplete": 0, "status": "notStarted"},
        }

        def work(_: AsyncOperation) -> dict[str, Any]:
            model = train_intent_model(label, project.assets, project.threshold)
            finished = now()
            project.models[label] = model
            project.model_times[label] = finished
            project.last_trained = finished
            done = {
                "percentComplete": 100,
                "status": "succeeded",
                "startDateTime": started,
                "endDateTime": finished,
            }
            return {**result, "trainingStatus": done, "evaluationStatus": dict(done)}

        return self._start("train", name, work, result)

    def start_deployment(self, name: str, deployment_name: str, body: dict[str, Any]) -> str:
        project = self.project(name)
        label = body.get("trainedModelLabel")
        if not isinstance(label, str) or not label:
            raise bad_project("The deployment request needs a 'trainedModelLabel' string.")
        if label not in project.models:
            raise AzureError(
                404,
                "NotFound",
                f"The trained model '{label}' could not be found in project '{name}': train it first "
                f"(begin_train with modelLabel={label!r}) and wait for the job to succeed.",
            )

        def work(_: AsyncOperation) -> None:
            deployed = now()
            expires = (datetime.now(timezone.utc) + timedelta(days=365)).date().isoformat()
            project.deployments[deployment_name.lower()] = {
                "deploymentName": deployment_name,
                "modelId": label,
                "lastTrainedDateTime": project.model_times[label],
                "lastDeployedDateTime": deployed,
                "deploymentExpirationDate": expires,
                "modelTrainingConfigVersion": TRAINING_CONFIG_VERSION,
            }
            project.last_deployed = deployed

        return self._start(f"deploy/{deployment_name.lower()}", name, work)

    def start_deployment_deletion(self, name: str, deployment_name: str) -> str:
        project = self.project(name)
        self.deployment(name, deployment_name)

        def work(_: AsyncOperation) -> None:
            project.deployments.pop(deployment_name.lower(), None)

        return self._start(f"deploy/{deployment_name.lower()}", name, work)

    def start_project_deletion(self, name: str) -> str:
        self.project(name)

        def work(_: AsyncOperation) -> None:
            with self._lock:
                self.projects.pop(name.lower(), None)

        return self._start("delete", "global", work)


def validate_project(name: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The project's metadata and assets, or 400 naming what is missing or inconsistent."""
    metadata, assets = body.get("metadata"), body.get("assets")
    if not isinstance(metadata, dict) or not isinstance(assets, dict):
        raise bad_project("The exported project needs 'metadata' and 'assets' objects.")
    for required in ("projectName", "language", "projectKind"):
        if not isinstance(metadata.get(required), str) or not metadata[required]:
            raise bad_project(f"metadata.{required} is required.")
    if metadata["projectName"].lower() != name.lower():
        raise bad_project(
            f"metadata.projectName {metadata['projectName']!r} does not match the project name in the "
            f"URL {name!r}."
        )
    if (
        metadata["projectKind"] != "Conversation"
        or assets.get("projectKind", "Conversation") != "Conversation"
    ):
        raise ServiceError(
            501,
            "NotImplemented",
            "the local emulator does not compute Orchestration projects: only projectKind 'Conversation'",
        )
    threshold = (metadata.get("settings") or {}).get("confidenceThreshold", 0.0)
    if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise bad_project("metadata.settings.confidenceThreshold must be a number between 0 and 1.")
    intents = {str(i.get("category")) for i in assets.get("intents") or [] if isinstance(i, dict)}
    intents.add("None")
    entities = {str(e.get("category")) for e in assets.get("entities") or [] if isinstance(e, dict)}
    for position, utterance in enumerate(assets.get("utterances") or []):
        if not isinstance(utterance, dict) or not isinstance(utterance.get("text"), str):
            raise bad_project(f"assets.utterances[{position}] needs a 'text' string.")
        if utterance.get("intent") not in intents:
            raise bad_project(
                f"assets.utterances[{position}] is labelled with intent {utterance.get('intent')!r}, "
                f"which is not in assets.intents; add it there."
            )
        for label in utterance.get("entities") or []:
            if label.get("category") not in entities:
                raise bad_project(
                    f"assets.utterances[{position}] labels entity {label.get('category')!r}, which is not in "
                    f"assets.entities."
                )
    return metadata, assets
