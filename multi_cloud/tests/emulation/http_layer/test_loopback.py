"""Which Host and Origin values count as this machine."""

from __future__ import annotations

import pytest
from multi_cloud.emulation.http.guard import refusal
from multi_cloud.emulation.http.loopback import host_name, is_loopback_host, is_loopback_origin


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:5000",
        "127.0.0.1",
        "127.0.0.1:5000",
        "[::1]",
        "[::1]:5000",
        "LOCALHOST.",
        "x.localhost:1",
    ],
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:5000",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "0.0.0.0:5000",
        "192.168.1.10",
        "[::2]:5000",
        "::1",
        "",
        "localhost:abc",
        "[::1",
    ],
)
def test_foreign_hosts(host: str) -> None:
    assert not is_loopback_host(host)


def test_host_name_strips_the_port() -> None:
    assert host_name("[::1]:8080") == "::1"
    assert host_name("localhost:8080") == "localhost"
    assert host_name("example.com") == "example.com"


@pytest.mark.parametrize("origin", ["http://localhost:8888", "http://127.0.0.1", "https://[::1]:3000"])
def test_loopback_origins(origin: str) -> None:
    assert is_loopback_origin(origin)


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "file://",
        "http://127.0.0.1.evil.example",
        "chrome-extension://abc",
        "http://localhost:99999",
    ],
)
def test_foreign_origins(origin: str) -> None:
    assert not is_loopback_origin(origin)


def test_sdk_requests_pass_and_browser_marks_are_read() -> None:
    sdk = {"HTTP_HOST": "127.0.0.1:5000"}
    assert refusal(sdk) == ""
    assert refusal({}) == ""  # HTTP/1.0 without Host: no browser sends that
    assert refusal({**sdk, "HTTP_ORIGIN": "http://localhost:8888", "HTTP_SEC_FETCH_SITE": "same-site"}) == ""
    assert "web pages" in refusal({**sdk, "HTTP_SEC_FETCH_SITE": "cross-site"})
    assert "web pages" in refusal({**sdk, "HTTP_ORIGIN": "http://evil.example"})
    assert "not this machine" in refusal({"HTTP_HOST": "rebind.evil.example:5000"})
