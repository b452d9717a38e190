"""DefaultAzureCredential gets a token offline from the emulator's managed-identity endpoint."""

from __future__ import annotations

import base64
import json
import os
import time

import pytest
import requests


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def test_default_azure_credential_gets_a_management_token(azure_env: dict[str, str]) -> None:
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token("https://management.azure.com/.default")
    assert token.expires_on > time.time() + 600
    claims = _claims(token.token)
    assert claims["aud"] == "https://management.azure.com"
    assert str(claims["iss"]).startswith(azure_env["CLOUDAI_AZURE_ENDPOINT"])


def test_managed_identity_credential_directly(azure_env: dict[str, str]) -> None:
    from azure.identity import ManagedIdentityCredential

    token = ManagedIdentityCredential().get_token("https://cognitiveservices.azure.com/.default")
    assert _claims(token.token)["aud"] == "https://cognitiveservices.azure.com"


def test_a_wrong_identity_header_is_refused(azure_env: dict[str, str]) -> None:
    answer = requests.get(
        azure_env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": "https://management.azure.com"},
        headers={"X-IDENTITY-HEADER": "not-the-secret"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "Unauthorized"


def test_a_token_request_without_resource_is_a_bad_request(azure_env: dict[str, str]) -> None:
    answer = requests.get(
        azure_env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01"},
        headers={"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]},
        timeout=10,
    )
    assert answer.status_code == 400


def test_a_wrong_identity_header_fails_the_credential(
    azure_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ManagedIdentityCredential

    monkeypatch.setenv("IDENTITY_ENDPOINT", azure_env["IDENTITY_ENDPOINT"])
    monkeypatch.setenv("IDENTITY_HEADER", "wrong")
    with pytest.raises(ClientAuthenticationError):
        ManagedIdentityCredential().get_token("https://management.azure.com/.default")
