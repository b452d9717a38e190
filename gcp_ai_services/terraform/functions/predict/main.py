"""Cloud Function (2nd gen): score one Pub/Sub prediction request with the Vertex AI endpoint."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import functions_framework
from cloudevents.http import CloudEvent


@functions_framework.cloud_event
def score_request(event: CloudEvent) -> None:
    """The message's data is ``{"id": ..., "instances": [...]}``; the answer goes to ``results/<id>.json``."""
    from google.cloud import aiplatform, storage

    message: dict[str, Any] = event.data["message"]
    request = json.loads(base64.b64decode(message["data"]))
    endpoint = aiplatform.Endpoint(os.environ["VERTEX_ENDPOINT"])
    answer = endpoint.predict(instances=request["instances"])
    result = {
        "id": request["id"],
        "predictions": list(answer.predictions),
        "model_version_id": answer.model_version_id,
        "message_id": message.get("messageId", ""),
    }
    bucket = storage.Client().bucket(os.environ["RESULTS_BUCKET"])
    blob = bucket.blob(f"results/{request['id']}.json")
    blob.upload_from_string(json.dumps(result), content_type="application/json")
