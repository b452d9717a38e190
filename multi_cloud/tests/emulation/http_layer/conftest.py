"""Fixtures for the HTTP layer's tests: fuzz targets on the session's local cloud, boto3 clients to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from multi_cloud.emulation.http.limits import DEFAULT_LIMITS, MOTO_LIMITS
from multi_cloud.testing.fuzz.targets import Target, aws_ai_target, moto_target


def _url(cloud: Any, name: str) -> str:
    for backend in cloud.backends:
        if backend.name == name:
            return str(backend.url)
    pytest.skip(f"the {name} backend is not available here: {cloud.skipped.get(name, '')}")


@pytest.fixture
def moto(clean_cloud: Any) -> Iterator[Target]:
    """moto's fuzz target; its state is forgotten again afterwards (fuzzing creates things)."""
    yield moto_target(_url(clean_cloud, "moto"), MOTO_LIMITS.max_body_bytes)
    clean_cloud.reset()


@pytest.fixture
def aws_ai(clean_cloud: Any) -> Target:
    return aws_ai_target(_url(clean_cloud, "aws-ai"), DEFAULT_LIMITS.max_body_bytes)


@pytest.fixture
def aws(clean_cloud: Any) -> Callable[..., Any]:
    """``aws("iam")``: a plain boto3 client to the local cloud that does not retry."""
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    def client(service: str) -> Any:
        return boto3.client(service, config=Config(retries={"total_max_attempts": 1}))

    return client


@pytest.fixture
def from_web_page() -> Callable[..., Any]:
    """``from_web_page(client, **headers)``: the client's requests carry a browser's headers from then on."""

    def mark(client: Any, **headers: str) -> Any:
        def add(request: Any, **_: Any) -> None:
            for name, value in headers.items():
                request.headers[name.replace("_", "-")] = value

        client.meta.events.register("before-send.*", add)
        return client

    return mark
