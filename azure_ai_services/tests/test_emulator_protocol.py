"""The emulator's wire rules: 501 naming unknown routes, Azure's 401 for keys, api-version, loopback guard."""

from __future__ import annotations

import requests


def test_unknown_route_is_501_naming_it(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/face/v1.0/detect", headers={"Ocp-Apim-Subscription-Key": key}, timeout=10
    )
    assert answer.status_code == 501
    assert answer.json()["error"]["code"] == "NotImplemented"
    assert "POST /face/v1.0/detect" in answer.json()["error"]["message"]


def test_missing_key_is_azures_401(endpoint: str) -> None:
    answer = requests.post(f"{endpoint}/vision/v3.2/tag", data=b"x", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"] == {
        "code": "401",
        "message": "Access denied due to missing subscription key. Make sure to include subscription key "
        "when making requests to an API.",
    }


def test_wrong_key_is_401_invalid_key(endpoint: str) -> None:
    answer = requests.post(
        f"{endpoint}/language/:analyze-text",
        params={"api-version": "2023-04-01"},
        headers={"Ocp-Apim-Subscription-Key": "0" * 32},
        json={},
        timeout=10,
    )
    assert answer.status_code == 401
    assert "invalid subscription key" in answer.json()["error"]["message"]


def test_missing_api_version(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/language/:analyze-text", headers={"Ocp-Apim-Subscription-Key": key}, json={}, timeout=10
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "MissingApiVersionParameter"


def test_malformed_json_is_an_azure_error(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/language/:analyze-text",
        params={"api-version": "2023-04-01"},
        headers={"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/json"},
        data=b"{not json",
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"


def test_web_pages_are_refused(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/vision/v3.2/tag",
        headers={"Ocp-Apim-Subscription-Key": key, "Origin": "https://evil.example"},
        data=b"x",
        timeout=10,
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "AuthorizationFailed"
