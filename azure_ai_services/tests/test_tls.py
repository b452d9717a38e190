"""The emulator's HTTPS: a local CA, a bundle that still trusts the public roots, no plain-http answers."""

from __future__ import annotations

import ssl
import urllib.request
from pathlib import Path

import certifi
import pytest
import requests


def test_bundle_is_certifi_plus_the_local_ca(azure_env: dict[str, str]) -> None:
    bundle = Path(azure_env["REQUESTS_CA_BUNDLE"]).read_text()
    ca = (Path(azure_env["REQUESTS_CA_BUNDLE"]).parent / "ca.pem").read_text()
    assert bundle.startswith(Path(certifi.where()).read_text().rstrip("\n"))
    assert bundle.rstrip().endswith(ca.rstrip())
    assert azure_env["SSL_CERT_FILE"] == azure_env["REQUESTS_CA_BUNDLE"]


def test_the_local_ca_verifies_the_server(azure_env: dict[str, str]) -> None:
    context = ssl.create_default_context(cafile=azure_env["REQUESTS_CA_BUNDLE"])
    with pytest.raises(urllib.error.HTTPError) as raised:  # verified TLS; the answer is Azure's 501
        urllib.request.urlopen(azure_env["CLOUDAI_AZURE_ENDPOINT"] + "/", context=context, timeout=10)
    assert raised.value.code == 501


def test_public_roots_alone_do_not_trust_the_emulator(azure_env: dict[str, str]) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(azure_env["CLOUDAI_AZURE_ENDPOINT"] + "/", verify=certifi.where(), timeout=10)


def test_plain_http_gets_no_answer(azure_env: dict[str, str]) -> None:
    plain = azure_env["CLOUDAI_AZURE_ENDPOINT"].replace("https://", "http://")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(plain + "/", timeout=10)
