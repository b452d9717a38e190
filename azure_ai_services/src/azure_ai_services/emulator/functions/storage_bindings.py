"""Blob and Queue bindings against Azurite (or any storage account): what triggers read, outputs write."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from azure_ai_services.emulator.functions import binding_paths
from azure_ai_services.emulator.functions.sites import FunctionApp


def blob_service(connection: str) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(connection)


def queue_client(connection: str, queue: str) -> Any:
    from azure.storage.queue import QueueClient

    return QueueClient.from_connection_string(connection, queue)


def ensure_queue(client: Any) -> None:
    from azure.core.exceptions import ResourceExistsError

    try:
        client.create_queue()
    except ResourceExistsError:
        pass


def write_outputs(
    app: FunctionApp,
    bindings: list[dict[str, Any]],
    outputs: Mapping[str, str],
    values: Mapping[str, str],
) -> list[str]:
    """Write what the function set on its blob and queue outputs; the written places, for the log."""
    from azure.core.exceptions import ResourceExistsError

    written = []
    for binding in bindings:
        if binding.get("direction") != "OUT" or binding["name"] not in outputs:
            continue
        data = base64.b64decode(outputs[binding["name"]])
        connection = app.connection(binding.get("connection"))
        if binding["type"] == "blob":
            container, blob = binding_paths.split_path(binding_paths.fill(binding["path"], values))
            service = blob_service(connection)
            try:
                service.create_container(container)
            except ResourceExistsError:
                pass
            service.get_blob_client(container, blob).upload_blob(data, overwrite=True)
            written.append(f"blob {container}/{blob}")
        elif binding["type"] == "queue":
            queue = binding_paths.fill(binding["queueName"], values).lower()
            client = queue_client(connection, queue)
            ensure_queue(client)
            client.send_message(base64.b64encode(data).decode("ascii"))  # the host's default: base64
            written.append(f"queue {queue}")
    return written
