"""Copied into each function's code as ``_cloudai_ff.py``: Google's functions-framework app in the worker.

The on-prem function worker imports this module (so functions-framework loads ``main.py`` once per cold
start, reading ``FUNCTION_TARGET`` and ``FUNCTION_SIGNATURE_TYPE`` as it does on Cloud Run) and calls
:func:`handle` with one HTTP request as JSON; the Flask app functions-framework built answers it. Only the
standard library and functions-framework are imported: this file runs inside the function's worker.
"""

from __future__ import annotations

import base64
import importlib
import os
from typing import Any

# by name: functions-framework's google.cloud.functions would hide google-cloud-storage's types from mypy
functions_framework: Any = importlib.import_module("functions_framework")
app = functions_framework.create_app(
    os.environ["FUNCTION_TARGET"],
    os.path.join(os.getcwd(), "main.py"),
    os.environ["FUNCTION_SIGNATURE_TYPE"],
)
client = app.test_client()


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``{method, path, query, headers, body}`` (body base64) -> ``{status, headers, body}``."""
    response = client.open(
        event["path"],
        method=event["method"],
        query_string=event.get("query", ""),
        headers=[(str(k), str(v)) for k, v in event.get("headers", [])],
        data=base64.b64decode(event.get("body", "")),
    )
    return {
        "status": response.status_code,
        "headers": [[k, v] for k, v in response.headers.items() if k.lower() != "content-length"],
        "body": base64.b64encode(response.get_data()).decode("ascii"),
    }
