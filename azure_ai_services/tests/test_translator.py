"""Translator v3.0 over REST, as Microsoft's Python quickstart calls it (requests + the resource key)."""

from __future__ import annotations

import pytest
import requests
from multi_cloud.testing.engines import require_binary


@pytest.fixture(autouse=True)
def _apertium() -> None:
    require_binary("apertium", "apertium apertium-eng-spa")


def _translate(endpoint: str, key: str, body: object, **params: str) -> requests.Response:
    return requests.post(
        f"{endpoint}/translate",
        params={"api-version": "3.0", **params},
        headers={"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/json"},
        json=body,
        timeout=60,
    )


def test_english_to_spanish(endpoint: str, key: str) -> None:
    answer = _translate(
        endpoint, key, [{"Text": "The cat is sleeping on the table."}], **{"from": "en", "to": "es"}
    )
    assert answer.status_code == 200
    (item,) = answer.json()
    assert item["translations"][0]["to"] == "es"
    assert "gato" in item["translations"][0]["text"].lower()


def test_source_is_detected_when_not_given(endpoint: str, key: str) -> None:
    answer = _translate(endpoint, key, [{"Text": "El perro come pan en la casa de mi madre."}], to="en")
    (item,) = answer.json()
    assert item["detectedLanguage"]["language"] == "es"
    assert "dog" in item["translations"][0]["text"].lower()


def test_the_custom_domain_path_answers_too(endpoint: str, key: str) -> None:
    answer = requests.post(
        f"{endpoint}/translator/text/v3.0/translate",
        params={"api-version": "3.0", "to": "es", "from": "en"},
        headers={"Ocp-Apim-Subscription-Key": key},
        json=[{"Text": "Hello"}],
        timeout=60,
    )
    assert answer.status_code == 200


def test_an_invalid_target_is_400036(endpoint: str, key: str) -> None:
    answer = _translate(endpoint, key, [{"Text": "Hello"}], **{"from": "en", "to": "qq"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400036


def test_a_body_that_is_not_a_list_is_400074(endpoint: str, key: str) -> None:
    answer = _translate(endpoint, key, {"Text": "Hello"}, to="es")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400074


def test_wrong_api_version(endpoint: str, key: str) -> None:
    answer = _translate(endpoint, key, [{"Text": "Hello"}], to="es", **{"api-version": "2.0"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidApiVersionParameter"
