"""The cloud metadata document (``ARM_CLOUD_METADATA_URL``): this local cloud's ARM, login and storage.

azure-ai-ml reads it to name the cloud ("LocalCloud") and find its resource manager; any SDK that takes
``cloud_setting``/metadata endpoints can read it too. The storage suffix ends in ``.invalid`` (a name that
never resolves), so nothing built from it can reach a real Azure storage account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.routing import AzureRoutes

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

CLOUD_NAME = "LocalCloud"
METADATA_PATH = "/metadata/endpoints"
API_VERSIONS = ("2019-05-01", "2020-06-01", "2022-09-01")
STORAGE_SUFFIX = "storage.cloudai.invalid"


def cloud_metadata(endpoint: str) -> dict[str, Any]:
    """The document for the cloud served at ``endpoint`` (``https://127.0.0.1:PORT``)."""
    base = endpoint.rstrip("/") + "/"
    return {
        "name": CLOUD_NAME,
        "portal": base,
        "resourceManager": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {"storage": STORAGE_SUFFIX, "keyVaultDns": "vault.cloudai.invalid"},
        "graph": base,
        "gallery": base,
        "batch": base,
        "sqlManagement": base,
        "vmImageAliasDoc": "",
    }


def routes() -> AzureRoutes:
    return AzureRoutes({("GET", METADATA_PATH): metadata_document}, api_versions=API_VERSIONS)


def metadata_document(request: Request) -> list[dict[str, Any]]:
    return [cloud_metadata(request.host_url)]
