"""The emulator's own boto3 clients to moto (S3 images, SageMaker endpoints), found without configuration.

moto's URL is, in order: ``CLOUDAI_AWS_AI_MOTO_URL``; ``AWS_ENDPOINT_URL`` when it is a loopback URL (the
local cloud exports it); a ThreadedMotoServer running in this process (the local cloud's daemon starts moto
and this emulator side by side without exporting anything). It is looked up on first use, so the emulator
may start before the environment is exported.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.errors import Unavailable

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
MOTO_URL_VARIABLE = "CLOUDAI_AWS_AI_MOTO_URL"


def moto_url() -> str:
    """Where moto answers; Unavailable (HTTP 503 to the client) naming the fix when nothing is found."""
    explicit = os.environ.get(MOTO_URL_VARIABLE, "")
    if explicit:
        return explicit.rstrip("/")
    exported = os.environ.get("AWS_ENDPOINT_URL", "")
    if urlsplit(exported).hostname in LOOPBACK:
        return exported.rstrip("/")
    found = _in_process_moto()
    if found:
        return found
    raise Unavailable(
        "the AWS AI emulator cannot find moto (it reads S3 images and SageMaker endpoints from it): start "
        f"the whole local cloud (`cloudai local up`), or set {MOTO_URL_VARIABLE}=http://127.0.0.1:PORT"
    )


def _in_process_moto() -> str:
    """The URL of moto serving in this process (the local cloud registers its servers), or ""."""
    from multi_cloud.emulation.http.running import url_of

    return url_of("moto")


class ControlPlane:
    """boto3 clients to moto, one per (service, region), created on first use and then shared."""

    def __init__(self, url: str | None = None) -> None:
        self._url = url
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._url or moto_url()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        url = self.url
        key = (service, region, url)
        with self._lock:
            if key not in self._clients:
                import boto3
                from botocore.config import Config

                session = boto3.session.Session(region_name=region, **FAKE_CREDENTIALS)
                config = Config(retries={"max_attempts": 1, "mode": "standard"})
                self._clients[key] = session.client(service, endpoint_url=url, config=config)
            return self._clients[key]

    def in_process(self) -> bool:
        """Whether moto runs in this process at this URL (its backends can then be read directly)."""
        return _in_process_moto() == self.url
