"""A topic's endpoint, ``POST .../api/events`` (``/eventgrid/{sub}/{group}/{topic}/api/events`` here).

Authenticated as Event Grid does with the topic's key in ``aeg-sas-key`` (what ``EventGridPublisherClient``
sends for an ``AzureKeyCredential``) or an ARM bearer token; the batch is checked against the topic's input
schema and size limits (1 MB), answered 200 with an empty body, and delivered in the background.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING

from multi_cloud.emulation.protocols.azure.errors import AzureError, error_response

from azure_ai_services.emulator.event_grid import schemas
from azure_ai_services.emulator.event_grid.service import EventGrid

if TYPE_CHECKING:  # pragma: no cover
    from multi_cloud.emulation.http.wsgi_app import Incoming
    from werkzeug.wrappers import Response


class TopicEndpoint:
    """An ``EmulatorApp`` service for the ``/eventgrid`` mount."""

    def __init__(self, grid: EventGrid) -> None:
        self.grid = grid

    def claims(self, incoming: Incoming) -> bool:
        return True

    def handle(self, incoming: Incoming) -> Response:
        from werkzeug.wrappers import Response

        request = incoming.request
        parts = incoming.path.strip("/").split("/")
        try:
            if len(parts) != 5 or parts[3:] != ["api", "events"] or request.method != "POST":
                raise AzureError(404, "NotFound", f"The requested resource {incoming.path} was not found.")
            topic = self.grid.topics.get(parts[0], parts[1], parts[2])
            key = request.headers.get("aeg-sas-key", "")
            bearer = request.headers.get("Authorization", "").startswith("Bearer ")
            if not bearer and not any(
                hmac.compare_digest(key.encode(), k.encode()) for k in (topic.key1, topic.key2)
            ):
                raise AzureError(
                    401,
                    "Unauthorized",
                    f"The request authorization key is not authorized for {topic.name}. "
                    "Send one of the topic's keys (listKeys) in the aeg-sas-key header.",
                )
            data = request.get_data()
            if len(data) > schemas.MAX_BATCH_BYTES:
                raise AzureError(
                    413,
                    "RequestEntityTooLarge",
                    f"The maximum size for a batch of events is {schemas.MAX_BATCH_BYTES} bytes.",
                )
            try:
                body = json.loads(data)
            except ValueError as exc:
                raise AzureError(400, "BadRequest", f"The request body is not valid JSON: {exc}.") from None
            try:
                events = schemas.parse_batch(body, topic.input_schema, topic.id)
            except AzureError:
                topic.metrics["PublishFailCount"] += len(body) if isinstance(body, list) else 1
                raise
            self.grid.dispatcher.publish(topic, events)
        except AzureError as err:
            return error_response(err)
        return Response(status=200)
