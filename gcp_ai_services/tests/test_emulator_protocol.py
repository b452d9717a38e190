"""The Google emulator on the wire: Google's error JSON, UNIMPLEMENTED naming the method, INTERNAL at once."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from gcp_ai_services.emulator.app import EmulatorState, build_app
from google.api_core import exceptions as gx
from google.cloud import vision
from multi_cloud.emulation.protocols.google.routing import GoogleRoutes
from multi_cloud.testing.conformance import media

from .conftest import status_of


def _raw(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str = "POST"):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as answer:  # an answer, not a dropped connection
        return answer.code, json.loads(answer.read() or b"{}")


def test_a_method_the_emulator_lacks_is_unimplemented_naming_it(endpoint: dict[str, Any]) -> None:
    client = vision.ImageAnnotatorClient(**endpoint)
    started = time.monotonic()
    with pytest.raises(gx.MethodNotImplemented) as caught:
        client.async_batch_annotate_images(
            requests=[{"image": {"content": media.portrait_jpeg()}, "features": [{"type_": 1}]}],
            output_config={"gcs_destination": {"uri": "gs://b/out/"}},
        )
    assert time.monotonic() - started < 5  # answered, not retried
    assert status_of(caught.value) == "UNIMPLEMENTED"
    assert "POST /v1/images:asyncBatchAnnotate" in caught.value.message


def test_error_bodies_are_googles_json(emulator: Any) -> None:
    status, body = _raw(
        emulator.url + "/v1/images:annotate", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT" and body["error"]["code"] == 400
    status, body = _raw(emulator.url + "/v9/nothing:here", data=b"{}")
    assert (
        status == 501
        and body["error"]["status"] == "UNIMPLEMENTED"
        and "/v9/nothing:here" in body["error"]["message"]
    )


def test_a_web_page_cannot_drive_it(emulator: Any) -> None:
    status, body = _raw(
        emulator.url + "/v1/voices",
        method="GET",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert status == 403 and body["error"]["status"] == "PERMISSION_DENIED"


def test_a_crashing_handler_is_internal_at_once_never_unavailable() -> None:
    from werkzeug.test import Client

    def crash(request: Any) -> dict[str, Any]:
        raise ZeroDivisionError("division by zero")

    app = build_app(EmulatorState())
    crashing = GoogleRoutes()
    crashing.add("POST", "/v1/crash:now", crash)
    app.services.insert(0, crashing)
    response = Client(app).post("/v1/crash:now", data=b"{}")
    assert response.status_code == 500
    error = json.loads(response.data)["error"]
    assert error["status"] == "INTERNAL" and "ZeroDivisionError" in error["message"]
