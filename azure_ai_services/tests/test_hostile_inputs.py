"""Hostile input gets an Azure error body from every route: never a 500, never a dropped connection."""

from __future__ import annotations

import json

import pytest
import requests

ROUTES = [
    ("POST", "/vision/v3.2/analyze?visualFeatures=Faces"),
    ("POST", "/vision/v3.2/tag"),
    ("POST", "/vision/v3.2/read/analyze"),
    ("GET", "/vision/v3.2/read/analyzeResults/..%2F..%2Fetc"),
    ("POST", "/computervision/imageanalysis:analyze?api-version=2023-10-01&features=tags"),
    ("POST", "/language/:analyze-text?api-version=2023-04-01"),
    ("POST", "/translate?api-version=3.0&to=es"),
    ("POST", "/cognitiveservices/v1"),
    ("POST", "/speechtotext/transcriptions:transcribe?api-version=2024-11-15"),
    ("GET", "/metadata/endpoints?api-version=2019-05-01&x=%00"),
]
BODIES = [
    b"",
    b"\x00\xff" * 64,
    b"null",
    b"[]",
    b'{"kind": ["SentimentAnalysis"], "analysisInput": []}',
    json.dumps(
        {"kind": "SentimentAnalysis", "analysisInput": {"documents": [1, None, {"id": [], "text": 5}]}}
    ).encode(),
    json.dumps({"kind": "KeyPhraseExtraction", "analysisInput": {"documents": "not a list"}}).encode(),
    json.dumps([{"Text": None}, 7]).encode(),
    b'{"url": 42}',
    b"<speak><voice name='en-US-X'>&lol;</voice></speak>",
]
CONTENT_TYPES = [
    "application/json",
    "application/octet-stream",
    "application/ssml+xml",
    "multipart/form-data",
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_no_route_fails_on_hostile_input(endpoint: str, key: str, method: str, route: str) -> None:
    session = requests.Session()
    for body in BODIES:
        for content_type in CONTENT_TYPES:
            answer = session.request(
                method,
                endpoint + route,
                data=body,
                headers={
                    "Ocp-Apim-Subscription-Key": key,
                    "Content-Type": content_type,
                    "X-Microsoft-OutputFormat": "riff-16khz-16bit-mono-pcm",
                },
                timeout=30,
            )
            assert answer.status_code < 500 or answer.status_code == 501, (route, body[:40], answer.text)
            assert "error" in answer.json() or answer.status_code == 200


def test_a_multipart_definition_of_the_wrong_shape(endpoint: str, key: str) -> None:
    for definition in ('{"locales": 5, "phraseList": ["a"]}', '{"phraseList": "a"}', "[1]", "{"):
        answer = requests.post(
            f"{endpoint}/speechtotext/transcriptions:transcribe",
            params={"api-version": "2024-11-15"},
            headers={"Ocp-Apim-Subscription-Key": key},
            files={"audio": ("a.wav", b"RIFF", "audio/wav"), "definition": (None, definition)},
            timeout=30,
        )
        assert answer.status_code == 400, (definition, answer.text)
