"""What a fuzz run aims at: one local server, a cheap valid JSON operation on it, and its body limit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from multi_cloud.testing.fuzz.wire import RawRequest, build

FAKE_SCOPE = "Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"


@dataclass(frozen=True)
class Target:
    """A server and one valid JSON-protocol operation on it (used by hostile cases and the liveness call)."""

    name: str
    url: str
    path: str
    amz_target: str
    signing_name: str
    body: bytes
    max_body_bytes: int

    @property
    def host(self) -> str:
        return str(urlsplit(self.url).hostname)

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 80)

    @property
    def host_header(self) -> str:
        return f"{self.host}:{self.port}"

    def headers(self, **extra: str) -> list[tuple[str, str]]:
        """The operation's headers (SigV4 scope without a real signature: the local cloud routes on it)."""
        items = [
            ("Host", self.host_header),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", self.amz_target),
            ("Authorization", "AWS4-HMAC-SHA256 " + FAKE_SCOPE.format(service=self.signing_name)),
        ]
        names = {k.lower().replace("_", "-") for k in extra}
        items = [(k, v) for k, v in items if k.lower() not in names]
        return items + [(k.replace("_", "-"), v) for k, v in extra.items()]

    def valid_request(self) -> RawRequest:
        return RawRequest(build("POST", self.path, self.headers(), self.body))


def moto_target(url: str, max_body_bytes: int) -> Target:
    """moto: SageMaker ``ListModels`` (JSON 1.1)."""
    return Target("moto", url, "/", "SageMaker.ListModels", "sagemaker", b"{}", max_body_bytes)


def aws_ai_target(url: str, max_body_bytes: int) -> Target:
    """The AWS AI emulator: Comprehend ``DetectDominantLanguage``."""
    body = json.dumps({"Text": "The local cloud answers in the provider's own error shape."}).encode()
    return Target(
        "aws-ai",
        url,
        "/comprehend",
        "Comprehend_20171127.DetectDominantLanguage",
        "comprehend",
        body,
        max_body_bytes,
    )
