"""LambdaSandbox: run a Lambda function's deployment package on this machine with the on-prem runtime.

Each function version is unzipped once per code hash (``root/code/<sha256>``) and deployed into an
:class:`~multi_cloud.onprem.functions.OnPremFunctions` per account, region and version, so invocations get
its cold and warm workers, timeouts, memory limit and error capture. A function is redeployed only when
its code or configuration changes, so warm workers (and module-level state) survive between invocations
as they do in Lambda's execution environments.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from multi_cloud.core.errors import InvalidArgument, Throttled
from multi_cloud.onprem import function_code
from multi_cloud.onprem.functions import MAX_MEMORY_MB, MIN_MEMORY_MB, OnPremFunctions

from aws_ai_services.emulator.lambda_payloads import LambdaOutcome, init_error, outcome_from_result

#: concurrent executions per function when no reserved concurrency is set (each is a process)
DEFAULT_CONCURRENCY = 10
#: how long an invocation over the concurrency limit waits for a slot before TooManyRequestsException
THROTTLE_WAIT_SECONDS = 30.0
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class InvokeRefused(Exception):
    """Invoke fails as a request (no function ran): Lambda's error code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class FunctionSpec:
    """What the sandbox needs to know about one version of a Lambda function."""

    account: str
    region: str
    name: str
    version: str  # "$LATEST" or a published version number
    runtime: str
    handler: str
    package_type: str
    code_zip: bytes = field(repr=False)
    code_sha256: str  # Lambda's CodeSha256 (base64)
    timeout_seconds: int = 3
    memory_mb: int = 128
    environment: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    identity: str = ""  # changes whenever the control plane recreates or updates the function


@dataclass(frozen=True)
class _Deployed:
    signature: tuple[Any, ...]
    code_dir: str


class LambdaSandbox:
    """Deploys Lambda functions into on-prem function runtimes on demand and invokes them."""

    def __init__(self, root: Path, *, server_url: Callable[[], str] = lambda: "") -> None:
        self.root = Path(root)
        self.server_url = server_url
        self._runtimes: dict[tuple[str, str, str], OnPremFunctions] = {}
        self._deployed: dict[tuple[str, str, str, str], _Deployed] = {}
        self._lock = threading.Lock()

    def invoke(self, spec: FunctionSpec, event: Any) -> LambdaOutcome:
        """Run ``spec``'s handler on ``event``; handler failures come back as an "Unhandled" outcome."""
        _require_python(spec)
        runtime = self._runtime(spec)
        deployed = self._ensure_deployed(runtime, spec)
        if isinstance(deployed, LambdaOutcome):
            return deployed
        try:
            result = runtime.invoke(spec.name, event)
        except Throttled as exc:
            raise InvokeRefused("TooManyRequestsException", f"Rate Exceeded. ({exc.message})", 429) from exc
        return outcome_from_result(result, code_dir=deployed.code_dir, version=spec.version)

    def forget(self, account: str, region: str, name: str) -> None:
        """Stop the warm workers of every version of a deleted function."""
        with self._lock:
            for key in [k for k in self._deployed if k[:2] == (account, region) and k[3] == name]:
                del self._deployed[key]
                runtime = self._runtimes.get(key[:3])
                if runtime is not None and (runtime.root / name / "function.json").exists():
                    runtime.delete(name)

    def close(self) -> None:
        """Kill every warm worker."""
        with self._lock:
            runtimes, self._runtimes = list(self._runtimes.values()), {}
            self._deployed.clear()
        for runtime in runtimes:
            runtime.close()

    # ------------------------------------------------------------------ internals
    def _runtime(self, spec: FunctionSpec) -> OnPremFunctions:
        key = (spec.account, spec.region, _version_dir(spec.version))
        with self._lock:
            runtime = self._runtimes.get(key)
            if runtime is None:
                runtime = OnPremFunctions(
                    "aws",
                    self.root.joinpath("functions", *key),
                    max_concurrency=DEFAULT_CONCURRENCY,
                    max_wait_seconds=THROTTLE_WAIT_SECONDS,
                )
                self._runtimes[key] = runtime
            return runtime

    def _ensure_deployed(self, runtime: OnPremFunctions, spec: FunctionSpec) -> _Deployed | LambdaOutcome:
        key = (spec.account, spec.region, _version_dir(spec.version), spec.name)
        environment = self._environment(spec)
        concurrency = spec.reserved_concurrency or DEFAULT_CONCURRENCY
        if spec.reserved_concurrency == 0:
            raise InvokeRefused("TooManyRequestsException", "Rate Exceeded. (reserved concurrency is 0)", 429)
        signature = (
            spec.identity,
            spec.code_sha256,
            spec.handler,
            spec.timeout_seconds,
            spec.memory_mb,
            tuple(sorted(environment.items())),
            concurrency,
        )
        with self._lock:
            current = self._deployed.get(key)
            if current is not None and current.signature == signature:
                return current
            code_dir = self._unpack(spec)
            handler = spec.handler.replace("/", ".")
            problem = _handler_problem(code_dir, handler)
            if problem is not None:
                self._deployed.pop(key, None)
                return problem
            try:
                info = runtime.deploy(
                    spec.name,
                    str(code_dir),
                    handler,
                    timeout_seconds=spec.timeout_seconds,
                    memory_mb=min(max(int(spec.memory_mb), MIN_MEMORY_MB), MAX_MEMORY_MB),
                    environment=environment,
                    max_concurrency=concurrency,
                )
            except InvalidArgument as exc:  # e.g. a module name Python cannot import
                return init_error("Runtime.ImportModuleError", f"Unable to import module: {exc.message}")
            deployed = _Deployed(signature, str(runtime.root / spec.name / "versions" / info.version))
            self._deployed[key] = deployed
            return deployed

    def _unpack(self, spec: FunctionSpec) -> Path:
        """The deployment package's files, extracted once per code hash."""
        digest = hashlib.sha256(spec.code_zip).hexdigest()
        target = self.root / "code" / digest
        if target.is_dir():
            return target
        temp = target.parent / f".tmp-{uuid.uuid4().hex}"
        try:
            with zipfile.ZipFile(io.BytesIO(spec.code_zip)) as archive:
                archive.extractall(temp)  # zipfile drops absolute paths and ".." components
        except (zipfile.BadZipFile, OSError) as exc:
            shutil.rmtree(temp, ignore_errors=True)
            raise InvokeRefused(
                "InvalidZipFileException",
                f"Lambda was not able to unzip the deployment package of {spec.name} ({exc}); "
                "upload a valid .zip with update_function_code",
                502,
            ) from exc
        try:
            os.rename(temp, target)
        except OSError:  # another thread unpacked the same code first
            shutil.rmtree(temp, ignore_errors=True)
        return target

    def _environment(self, spec: FunctionSpec) -> dict[str, str]:
        """The function's variables, Lambda's runtime variables and the local cloud's endpoints.

        Nothing else of this process's environment reaches the handler (the on-prem runtime adds the
        interpreter's paths, ``TZ``, ``LANG``, ``LAMBDA_TASK_ROOT`` and ``TMPDIR``).
        """
        environment = {str(k): str(v) for k, v in spec.environment.items()}
        environment.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout_seconds),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{spec.version}]"
                f"{hashlib.sha256(spec.identity.encode()).hexdigest()[:32]}",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_REGION": spec.region,
                "AWS_DEFAULT_REGION": spec.region,
                "_HANDLER": spec.handler,
            }
        )
        for name, value in FAKE_CREDENTIALS.items():  # never the credentials of whoever started the cloud
            environment.setdefault(name, value)
        environment.setdefault("AWS_EC2_METADATA_DISABLED", "true")
        for name, value in local_endpoints(self.server_url()).items():
            environment.setdefault(name, value)
        return environment


def local_endpoints(server_url: str) -> dict[str, str]:
    """``AWS_ENDPOINT_URL`` (moto) and the ``AWS_ENDPOINT_URL_<SERVICE>`` this process exports, if loopback.

    The handler's own boto3 clients then talk to the local cloud, as moto's Docker mode does.
    """
    found = {
        name: value
        for name, value in os.environ.items()
        if name.startswith("AWS_ENDPOINT_URL_") and urlsplit(value).hostname in LOOPBACK
    }
    if server_url:
        found["AWS_ENDPOINT_URL"] = server_url
    return found


def _require_python(spec: FunctionSpec) -> None:
    if spec.package_type != "Zip":
        raise InvokeRefused(
            "InvalidRuntimeException",
            f"function {spec.name} is a container image; the local cloud runs only .zip packages with a "
            "python3.x runtime (deploy the handler as a .zip, or use CLOUDAI_MODE=cloud)",
            502,
        )
    if not (spec.runtime or "").startswith("python"):
        raise InvokeRefused(
            "InvalidRuntimeException",
            f"The runtime parameter of {spec.runtime or 'none'} is not supported by the local cloud, which "
            f"runs Python handlers only; recreate {spec.name} with Runtime='python3.x' or use "
            "CLOUDAI_MODE=cloud",
            502,
        )


def _handler_problem(code_dir: Path, handler: str) -> LambdaOutcome | None:
    """Lambda's init error if ``handler`` cannot be loaded from ``code_dir`` (checked without running it)."""
    module, _, function = handler.rpartition(".")
    if not module or not function:
        return init_error(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
        )
    path = function_code.module_file(code_dir, module)
    if path is None:
        return init_error(
            "Runtime.ImportModuleError", f"Unable to import module '{module}': No module named '{module}'"
        )
    try:
        names = function_code.top_level_names(path.read_text(encoding="utf-8"), path.name)
    except InvalidArgument as exc:
        return init_error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module}': {exc.message}")
    if names is not None and function not in names:
        return init_error("Runtime.HandlerNotFound", f"Handler '{function}' missing on module '{module}'")
    return None


def _version_dir(version: str) -> str:
    return "LATEST" if version == "$LATEST" else f"v{version}"
