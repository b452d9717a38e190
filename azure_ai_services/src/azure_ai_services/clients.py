"""The one Azure client factory: same code for local (the emulator, Azurite) and cloud mode.

Every value comes from the environment, named as in Microsoft's samples: ``AZURE_AI_SERVICES_ENDPOINT`` and
``AZURE_AI_SERVICES_KEY`` (a multi-service Azure AI services resource) and
``AZURE_STORAGE_CONNECTION_STRING``. ``cloudai local env`` exports all three for the local cloud; in cloud
mode you set them to your own resource's values. The decision which mode is on lives in
:mod:`multi_cloud.local_cloud.client_rules`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, TypeVar

from multi_cloud.core.errors import ConfigurationError
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.local_cloud.client_rules import ClientRules

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import AzureKeyCredential
    from azure.storage.blob import BlobServiceClient

ENDPOINT_VARIABLE = "AZURE_AI_SERVICES_ENDPOINT"
KEY_VARIABLE = "AZURE_AI_SERVICES_KEY"
STORAGE_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING"
#: what the local cloud exports (``CLOUDAI_AZURE_ENDPOINT``): its presence means the emulator is found
LOCAL_ENDPOINT_VARIABLE = "CLOUDAI_AZURE_ENDPOINT"
CREDENTIALS_FIX = (
    f"Set {ENDPOINT_VARIABLE} and {KEY_VARIABLE} to your Azure AI services resource's endpoint and key "
    f"(Azure portal → Keys and Endpoint), and {STORAGE_VARIABLE} for Blob storage."
)

ClientT = TypeVar("ClientT")


def rules(settings: Settings) -> ClientRules:
    return ClientRules(
        settings,
        provider="azure",
        endpoint_variable=LOCAL_ENDPOINT_VARIABLE,
        credentials_fix=CREDENTIALS_FIX,
    )


def ai_services_endpoint(settings: Settings | None = None) -> str:
    """The Azure AI services endpoint (``https://<resource>.cognitiveservices.azure.com/`` in the cloud)."""
    settings = settings or get_settings()
    service_rules = rules(settings)
    service_rules.prepare(os.environ, os.environ.update)
    endpoint = os.environ.get(ENDPOINT_VARIABLE, "")
    service_rules.check_credentials(bool(endpoint and os.environ.get(KEY_VARIABLE)))
    service_rules.check_endpoint("Azure AI services", endpoint, ENDPOINT_VARIABLE)
    return endpoint


def ai_services_key() -> AzureKeyCredential:
    """The resource key as azure-core's ``AzureKeyCredential`` (sent as ``Ocp-Apim-Subscription-Key``)."""
    from azure.core.credentials import AzureKeyCredential

    return AzureKeyCredential(os.environ.get(KEY_VARIABLE, ""))


def ai_client(client_class: type[ClientT], settings: Settings | None = None, **options: Any) -> ClientT:
    """``client_class(endpoint=..., credential=AzureKeyCredential(...))`` for an azure-core AI client."""
    endpoint = ai_services_endpoint(settings)
    return client_class(endpoint=endpoint, credential=ai_services_key(), **options)  # type: ignore[call-arg]


def blob_service(settings: Settings | None = None) -> BlobServiceClient:
    """A ``BlobServiceClient`` from ``AZURE_STORAGE_CONNECTION_STRING`` (Azurite in local mode)."""
    from azure.storage.blob import BlobServiceClient

    settings = settings or get_settings()
    storage_rules = rules(settings)
    storage_rules.prepare(os.environ, os.environ.update)
    connection = os.environ.get(STORAGE_VARIABLE, "")
    storage_rules.check_credentials(bool(connection))
    if not connection:
        raise ConfigurationError(
            f"{STORAGE_VARIABLE} is not set: in local mode start Azurite with the local cloud "
            '(`eval "$(cloudai local env)"`); in cloud mode copy your storage account\'s connection string.',
            provider="azure",
        )
    client = BlobServiceClient.from_connection_string(connection)
    storage_rules.check_endpoint("Blob storage", client.url, STORAGE_VARIABLE)
    return client
