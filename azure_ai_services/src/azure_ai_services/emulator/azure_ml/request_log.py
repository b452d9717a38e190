"""What an online deployment's data collector logs: each request's inputs and outputs, in the blob store.

As Azure ML's model data collector, entries land under ``modelDataCollector/{endpoint}/{deployment}/
{model_inputs|model_outputs}/YYYY/MM/DD/HH/`` in the workspace's default datastore, one JSON line each.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

COLLECTOR_ROOT = "modelDataCollector"


class RequestLog:
    """Writes one blob per request for the inputs (``model_inputs``) and one for the answer."""

    def __init__(self, container: Any, endpoint: str, deployment: str) -> None:
        self.container = container
        self.prefix = f"{COLLECTOR_ROOT}/{endpoint}/{deployment}"

    def add(self, request: str, response: str, status: int) -> None:
        now = datetime.now(timezone.utc)
        hour = now.strftime("%Y/%m/%d/%H")
        correlation = str(uuid.uuid4())
        for kind, text in (("model_inputs", request), ("model_outputs", response)):
            entry = {
                "specversion": "1.0",
                "id": correlation,
                "type": f"azureml.inference.{kind}",
                "datacontenttype": "application/json",
                "time": now.isoformat(),
                "status": status,
                "data": _json_or_text(text),
            }
            name = f"{self.prefix}/{kind}/{hour}/{correlation}.jsonl"
            self.container.upload_blob(name, (json.dumps(entry) + "\n").encode(), overwrite=True)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
