"""moto as the AWS control plane and storage of the local cloud, served by the guarded, bounded server."""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from multi_cloud.emulation.http.ports import wait_for_port
from multi_cloud.local_cloud.backend import Backend

#: the account moto answers for (ARNs, the SDK's default bucket name)
LOCAL_ACCOUNT_ID = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}

#: moto behaviour the lessons rely on: Step Functions really interprets ASL; Lambda never needs Docker
MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


def apply_moto_patches() -> list[str]:
    """Run every ``cloudai.moto_patches`` entry point once per process (e.g. Lambda really running code).

    moto runs in this process, so a package can extend what it computes; each patch is
    a function that is safe to call more than once.
    """
    from importlib.metadata import entry_points

    applied = []
    for ep in entry_points(group="cloudai.moto_patches"):
        ep.load()()
        applied.append(ep.name)
    return applied


def write_sagemaker_sdk_config(region: str) -> Path:
    """The SageMaker Python SDK's config file naming its default bucket (``SAGEMAKER_USER_CONFIG_OVERRIDE``).

    Without it the SDK names the bucket from an STS call to the real ``sts.<region>.amazonaws.com``, which
    ignores ``AWS_ENDPOINT_URL``; with it, ``ModelTrainer`` and friends work unchanged locally.
    """
    directory = Path(tempfile.mkdtemp(prefix="cloudai-sagemaker-sdk-"))
    path = directory / "sagemaker-config.yaml"
    bucket = f"sagemaker-{region}-{LOCAL_ACCOUNT_ID}"
    path.write_text(
        "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      Session:\n"
        f"        DefaultS3Bucket: {bucket}\n"
    )
    return path


class MotoBackend(Backend):
    name = "moto"
    preferred_port = 5000
    install_hint = "pip install 'cloud-ai-platforms[aws]'"

    def __init__(self, region: str = "us-east-1") -> None:
        super().__init__()
        self.region = region
        self._server: Any = None
        self._sdk_config: Path | None = None

    @classmethod
    def available(cls) -> str | None:
        if importlib.util.find_spec("moto") is None:
            return f"moto is not installed: {cls.install_hint}"
        return None

    def start(self) -> None:
        import logging

        from multi_cloud.emulation.http import running
        from multi_cloud.emulation.http.aws_wire_errors import aws_wire
        from multi_cloud.emulation.http.limits import MOTO_LIMITS
        from multi_cloud.emulation.http.moto_app import MOTO_UNDERSCORE_HEADERS, moto_wsgi_app
        from multi_cloud.emulation.http.wsgi_server import ThreadedWSGIServer

        # moto's ASL interpreter logs a traceback for every Fail state: expected control flow, not an error
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        apply_moto_patches()
        self._server = ThreadedWSGIServer(
            moto_wsgi_app(),
            port=self.choose_port(),
            limits=MOTO_LIMITS,
            error_shape=aws_wire,
            underscore_header_prefixes=MOTO_UNDERSCORE_HEADERS,
        )
        self._server.start()
        self.port = self._server.port
        if not wait_for_port(self.port):
            raise RuntimeError(f"moto did not start on port {self.port}")
        self._post("/moto-api/config", MOTO_CONFIG)
        running.announce(self.name, self.url)
        self._sdk_config = write_sagemaker_sdk_config(self.region)

    def stop(self) -> None:
        from multi_cloud.emulation.http import running

        if self._server is not None:
            running.withdraw(self.name, self.url)
            self._server.stop()
            self._server = None
        if self._sdk_config is not None:
            shutil.rmtree(self._sdk_config.parent, ignore_errors=True)
            self._sdk_config = None

    def reset(self) -> None:
        self._post("/moto-api/reset", None)

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "SAGEMAKER_VALIDATE_ROLE": "false",
            **({"SAGEMAKER_USER_CONFIG_OVERRIDE": str(self._sdk_config)} if self._sdk_config else {}),
            **FAKE_CREDENTIALS,
        }

    def _post(self, path: str, body: object) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            response.read()
