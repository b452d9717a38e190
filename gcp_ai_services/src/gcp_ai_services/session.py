"""The one factory of Google clients: local (emulator) and cloud mode differ only in configuration.

Local mode: REST transport, ``client_options.api_endpoint`` = ``CLOUDAI_GCP_ENDPOINT`` (Cloud Storage:
``STORAGE_EMULATOR_HOST``), ``AnonymousCredentials``; an endpoint off loopback is refused. Cloud mode: the
same REST clients with Application Default Credentials (``gcloud auth application-default login``).
Which mode is on is decided by :mod:`multi_cloud.local_cloud.client_rules` alone.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Any

from multi_cloud.core.errors import PermissionDenied
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.local_cloud.client_rules import ClientRules

ENDPOINT_VARIABLE = "CLOUDAI_GCP_ENDPOINT"
STORAGE_VARIABLE = "STORAGE_EMULATOR_HOST"
CREDENTIALS_FIX = (
    "Run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file)."
)

#: API name -> (module, client class) of the official client library
CLIENTS: dict[str, tuple[str, str]] = {
    "vision": ("google.cloud.vision_v1", "ImageAnnotatorClient"),
    "language": ("google.cloud.language_v1", "LanguageServiceClient"),
    "translate": ("google.cloud.translate_v3", "TranslationServiceClient"),
    "speech": ("google.cloud.speech_v1", "SpeechClient"),
    "texttospeech": ("google.cloud.texttospeech_v1", "TextToSpeechClient"),
    "functions": ("google.cloud.functions_v2", "FunctionServiceClient"),
    "publisher": ("google.cloud.pubsub_v1", "PublisherClient"),
    "subscriber": ("google.cloud.pubsub_v1", "SubscriberClient"),
    "tpu": ("google.cloud.tpu_v2", "TpuClient"),
    "run": ("google.cloud.run_v2", "ServicesClient"),
    "run_revisions": ("google.cloud.run_v2", "RevisionsClient"),
    "workflows": ("google.cloud.workflows_v1", "WorkflowsClient"),
}

_CACHE: dict[tuple[str, ...], Any] = {}
_LOCK = threading.Lock()


def google_client(api: str, settings: Settings | None = None) -> Any:
    """The official client for ``api`` (a key of :data:`CLIENTS`) in the configured mode, cached."""
    settings = settings or get_settings()
    rules = _rules(settings, ENDPOINT_VARIABLE)
    rules.prepare(os.environ, os.environ.update)
    endpoint = rules.local_endpoint(os.environ)
    key = (api, settings.mode, endpoint)
    with _LOCK:
        if key not in _CACHE:
            module_name, class_name = CLIENTS[api]
            client_class = getattr(importlib.import_module(module_name), class_name)
            options = {"api_endpoint": endpoint} if endpoint else None
            _CACHE[key] = client_class(
                transport="rest", client_options=options, credentials=_credentials(rules, endpoint)
            )
            rules.check_endpoint(api, _endpoint_of(_CACHE[key]), ENDPOINT_VARIABLE)
        return _CACHE[key]


def storage_client(settings: Settings | None = None) -> Any:
    """A ``google.cloud.storage.Client`` for the configured project (local: gcp-storage-emulator)."""
    from google.cloud import storage

    settings = settings or get_settings()
    rules = _rules(settings, STORAGE_VARIABLE)
    rules.prepare(os.environ, os.environ.update)
    endpoint = rules.local_endpoint(os.environ)
    key = ("storage", settings.mode, endpoint, settings.gcp.project)
    with _LOCK:
        if key not in _CACHE:
            options = {"api_endpoint": endpoint} if endpoint else None
            client = storage.Client(
                project=settings.gcp.project,
                credentials=_credentials(rules, endpoint),
                client_options=options,
            )
            rules.check_endpoint("storage", _endpoint_of(client), STORAGE_VARIABLE)
            _CACHE[key] = client
        return _CACHE[key]


def vertex_sdk(settings: Settings | None = None, *, staging_bucket: str = "") -> Any:
    """``google.cloud.aiplatform``, initialised for the configured mode (local: REST to the emulator)."""
    from google.cloud import aiplatform

    settings = settings or get_settings()
    rules = _rules(settings, ENDPOINT_VARIABLE)
    rules.prepare(os.environ, os.environ.update)
    endpoint = rules.local_endpoint(os.environ)
    options: dict[str, Any] = {"api_endpoint": endpoint} if endpoint else {}
    aiplatform.init(
        project=settings.gcp.project,
        location=settings.gcp.location,
        api_transport="rest",
        credentials=_credentials(rules, endpoint),
        staging_bucket=staging_bucket or None,
        **options,
    )
    if endpoint:
        rules.check_endpoint("aiplatform", endpoint, ENDPOINT_VARIABLE)
        _project_lookups_at(endpoint)
    return aiplatform


def rest_session(default_host: str, settings: Settings | None = None) -> tuple[Any, str]:
    """An ``AuthorizedSession`` and the base URL for a REST API whose client has no REST transport.

    Workflow Executions (``workflowexecutions.googleapis.com``) is one: its Python client speaks gRPC only, so
    lessons send its documented REST calls; locally the base is ``CLOUDAI_GCP_ENDPOINT``.
    """
    from google.auth.transport.requests import AuthorizedSession

    settings = settings or get_settings()
    rules = _rules(settings, ENDPOINT_VARIABLE)
    rules.prepare(os.environ, os.environ.update)
    endpoint = rules.local_endpoint(os.environ)
    base = endpoint.rstrip("/") if endpoint else f"https://{default_host}"
    if endpoint:
        rules.check_endpoint(default_host, base, ENDPOINT_VARIABLE)
    session = AuthorizedSession(_credentials(rules, endpoint))  # type: ignore[no-untyped-call]
    return session, base


def _project_lookups_at(endpoint: str) -> None:
    """Send the SDK's own project-number lookups (gRPC to Resource Manager, no endpoint option) here.

    ``PipelineJob.submit`` asks Resource Manager for the project number before every run; the SDK builds
    that client itself, so without this it retries an unreachable host for 60 s.
    """
    from google.cloud import resourcemanager
    from google.cloud.aiplatform.utils import resource_manager_utils

    def project_number(project_id: str, credentials: Any = None) -> str:
        client = resourcemanager.ProjectsClient(
            transport="rest",
            client_options={"api_endpoint": endpoint},
            credentials=credentials or _credentials(_rules(get_settings(), ENDPOINT_VARIABLE), endpoint),
        )
        return str(client.get_project(name=f"projects/{project_id}").name.split("/", 1)[1])

    resource_manager_utils.get_project_number = project_number


def _credentials(rules: ClientRules, local_endpoint: str) -> Any:
    """Anonymous for the local cloud (it checks none), else Application Default Credentials."""
    if local_endpoint:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _project = google.auth.default()
    except DefaultCredentialsError as exc:
        rules.check_credentials(False)
        raise PermissionDenied(str(exc), provider="gcp") from exc
    return credentials


def _endpoint_of(client: Any) -> str:
    """The URL the client will call (``api_endpoint`` is a bare host for Google's own endpoints)."""
    host = str(client.api_endpoint or "")
    return host if "://" in host else f"https://{host}"


def _rules(settings: Settings, variable: str) -> ClientRules:
    return ClientRules(settings, provider="gcp", endpoint_variable=variable, credentials_fix=CREDENTIALS_FIX)


def clear_client_cache() -> None:
    """Forget cached clients (after the local cloud moved, or credentials changed)."""
    with _LOCK:
        _CACHE.clear()
