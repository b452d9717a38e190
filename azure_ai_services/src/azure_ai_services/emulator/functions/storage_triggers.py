"""Blob and Queue triggers: a poller per function app watching its containers and queues in Azurite.

As the Functions host does: a blob trigger fires once per new or changed blob (receipts keyed by ETag; it
also fires for blobs already there at the first deploy) and, after 5 failed attempts, its blob goes to the
``webjobs-blobtrigger-poison`` queue; a queue trigger takes messages (base64 by default, as the host
expects), deletes each after a successful run, makes it visible again at once after a failure, and moves
it to ``{queue}-poison`` when it has been dequeued 5 times (host.json's ``maxDequeueCount``;
``messageEncoding`` "none" takes plain-text messages).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from azure_ai_services.emulator.functions import binding_paths, storage_bindings
from azure_ai_services.emulator.functions.sites import FunctionApp

POLL_SECONDS = 0.5
MAX_BLOB_ATTEMPTS = 5
BLOB_POISON_QUEUE = "webjobs-blobtrigger-poison"
BATCH_SIZE = 16
#: seconds a taken message stays invisible while its function runs (longer than the function timeout)
VISIBILITY_SECONDS = 330

logger = logging.getLogger(__name__)

Invoke = Callable[[FunctionApp, dict[str, Any], str, dict[str, Any], dict[str, str]], bool]


class StoragePoller:
    """Polls one app's blob and queue triggers on its own thread until stopped."""

    def __init__(self, app: FunctionApp, invoke: Invoke, log: Callable[[str, str], None]) -> None:
        self.app = app
        self.invoke = invoke
        self.log = log
        self.receipts: dict[tuple[str, str, str], str] = {}
        self.failures: dict[tuple[str, str, str, str], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"functions-poller-{app.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll_once()

    def poll_once(self) -> None:
        for function in list(self.app.functions):
            if self._stop.is_set():
                return
            trigger = next((b for b in function["bindings"] if b["type"].endswith("Trigger")), None)
            try:
                if trigger is not None and trigger["type"] == "blobTrigger":
                    self._poll_blobs(function, trigger)
                elif trigger is not None and trigger["type"] == "queueTrigger":
                    self._poll_queue(function, trigger)
            except Exception:  # noqa: BLE001 - storage hiccups must not stop the poller
                logger.exception("polling %s/%s failed", self.app.name, function["name"])

    # ------------------------------------------------------------------ blobs
    def _poll_blobs(self, function: dict[str, Any], trigger: dict[str, Any]) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        container, pattern = binding_paths.split_path(trigger["path"])
        regex = binding_paths.blob_regex(pattern)
        connection = self.app.connection(trigger.get("connection"))
        client = storage_bindings.blob_service(connection).get_container_client(container)
        try:
            blobs = list(client.list_blobs(name_starts_with=binding_paths.literal_prefix(pattern) or None))
        except ResourceNotFoundError:
            return
        for blob in blobs:
            match = regex.match(blob.name)
            key = (function["name"], container, blob.name)
            if match is None or self.receipts.get(key) == blob.etag:
                continue
            data = client.download_blob(blob.name).readall()
            values = {"name": blob.name, "blobTrigger": f"{container}/{blob.name}", **match.groupdict()}
            event = {
                "trigger": {
                    "data": base64.b64encode(data).decode("ascii"),
                    "name": f"{container}/{blob.name}",
                    "uri": f"{client.url}/{blob.name}",
                    "properties": {
                        "ContentType": blob.content_settings.content_type,
                        "ETag": blob.etag,
                        "Length": blob.size,
                    },
                    "metadata": dict(blob.metadata or {}),
                }
            }
            reason = f"New blob detected(LogsAndContainerScan): {container}/{blob.name}"
            if self.invoke(self.app, function, reason, event, values):
                self.receipts[key] = blob.etag
                continue
            attempts = self.failures.get(key + (blob.etag,), 0) + 1
            self.failures[key + (blob.etag,)] = attempts
            if attempts >= MAX_BLOB_ATTEMPTS:
                self.receipts[key] = blob.etag
                poison = storage_bindings.queue_client(connection, BLOB_POISON_QUEUE)
                storage_bindings.ensure_queue(poison)
                message = {
                    "Type": "BlobTrigger",
                    "FunctionId": f"Host.Functions.{function['name']}",
                    "BlobType": "BlockBlob",
                    "ContainerName": container,
                    "BlobName": blob.name,
                    "ETag": blob.etag,
                }
                poison.send_message(base64.b64encode(json.dumps(message).encode()).decode("ascii"))

    # ------------------------------------------------------------------ queues
    def _poll_queue(self, function: dict[str, Any], trigger: dict[str, Any]) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        queue = str(trigger["queueName"]).lower()
        connection = self.app.connection(trigger.get("connection"))
        client = storage_bindings.queue_client(connection, queue)
        try:
            messages = list(
                client.receive_messages(
                    messages_per_page=BATCH_SIZE,
                    visibility_timeout=VISIBILITY_SECONDS,
                    max_messages=BATCH_SIZE,
                )
            )
        except ResourceNotFoundError:
            return
        for message in messages:
            if self._stop.is_set():
                return
            self._run_message(function, connection, queue, client, message)

    def _run_message(
        self, function: dict[str, Any], connection: str, queue: str, client: Any, message: Any
    ) -> None:
        content = message.content if isinstance(message.content, str) else str(message.content)
        body: bytes | None = content.encode("utf-8")
        if self.app.settings.message_encoding == "base64":
            try:
                body = base64.b64decode(content.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError, ValueError):
                body = None
        succeeded = False
        if body is None:
            self.invoke_failed(function, message)
        else:
            event = {
                "trigger": {
                    "id": message.id,
                    "body": base64.b64encode(body).decode("ascii"),
                    "dequeue_count": message.dequeue_count,
                    "insertion_time": _iso(message.inserted_on),
                    "expiration_time": _iso(message.expires_on),
                    "pop_receipt": message.pop_receipt,
                }
            }
            values = {
                "queueTrigger": body.decode("utf-8", "replace"),
                "id": message.id,
                "dequeueCount": str(message.dequeue_count),
            }
            reason = f"New queue message detected on '{queue}'."
            succeeded = self.invoke(self.app, function, reason, event, values)
        if succeeded:
            client.delete_message(message.id, message.pop_receipt)
        elif message.dequeue_count >= self.app.settings.max_dequeue_count:
            poison = storage_bindings.queue_client(connection, f"{queue}-poison")
            storage_bindings.ensure_queue(poison)
            poison.send_message(content)
            client.delete_message(message.id, message.pop_receipt)
        else:
            client.update_message(message.id, message.pop_receipt, visibility_timeout=0)

    def invoke_failed(self, function: dict[str, Any], message: Any) -> None:
        """A message the host cannot decode fails like a function error (and ends in the poison queue)."""
        self.log(
            self.app.name,
            f"Executed 'Functions.{function['name']}' (Failed, Id={message.id}): the message is not a valid "
            "Base-64 string; the host expects base64 messages: QueueClient(..., message_encode_policy="
            "TextBase64EncodePolicy())\n",
        )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
