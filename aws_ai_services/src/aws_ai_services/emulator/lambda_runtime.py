"""Make moto's Lambda really run Python code: ``install()`` routes every invoke path through LambdaSandbox.

moto without Docker echoes the payload back. After ``install()`` (wired by the ``cloudai.moto_patches``
entry point, idempotent) every path that reaches moto's Lambda runs the function's .zip package in a
local worker process: boto3 ``invoke`` (RequestResponse, Event, DryRun) and ``invoke_async``; SQS event
source mappings (on SendMessage); S3 bucket notifications; SNS subscriptions; Kinesis, DynamoDB-stream and
CloudWatch Logs subscriptions; Step Functions Task states and EventBridge Lambda targets
(:mod:`aws_ai_services.emulator.lambda_triggers`). moto's canned-results API
(``/moto-api/static/lambda-simple/response``) keeps working when results are queued.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from aws_ai_services.emulator.lambda_payloads import LambdaOutcome
from aws_ai_services.emulator.lambda_sandbox import LOOPBACK, FunctionSpec, InvokeRefused, LambdaSandbox
from aws_ai_services.emulator.moto_patching import patch_method, when_imported

logger = logging.getLogger(__name__)

_sandbox: LambdaSandbox | None = None
_sandbox_lock = threading.Lock()


def install() -> None:
    """Patch moto (now, or when it imports the modules concerned) so Lambda functions really run.

    The trigger paths (Step Functions tasks, EventBridge targets) are patched by ``lambda_triggers``, its
    own ``cloudai.moto_patches`` entry point.
    """
    when_imported("moto.moto_server.threaded_moto_server", _track_servers)
    when_imported("moto.awslambda.models", _patch_lambda_models)
    when_imported("moto.awslambda_simple.models", _patch_simple_backend)
    when_imported("moto.awslambda.responses", _patch_invoke_qualifier)
    when_imported("multi_cloud.local_cloud.moto_backend", _stop_workers_with_backend)


def stop_workers() -> None:
    """Kill every worker of the process's sandbox, busy ones too, and what their handlers started."""
    with _sandbox_lock:
        box = _sandbox
    if box is not None:
        box.close()


def sandbox() -> LambdaSandbox:
    """The process's sandbox (created on first use in a temporary directory removed at exit)."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            root = Path(tempfile.mkdtemp(prefix="cloudai-lambda-"))
            _sandbox = LambdaSandbox(root, server_url=server_url)
            atexit.register(_discard, _sandbox)
        return _sandbox


def server_url() -> str:
    """The local cloud's URL as seen from this machine ("" when moto runs without a server)."""
    from multi_cloud.emulation.http import running

    served = running.url_of("moto")
    if served:
        return served
    if os.environ.get("MOTO_PORT"):
        return f"http://127.0.0.1:{os.environ['MOTO_PORT']}"
    configured = os.environ.get("AWS_ENDPOINT_URL_LAMBDA") or os.environ.get("AWS_ENDPOINT_URL", "")
    return configured if urlsplit(configured).hostname in LOOPBACK else ""


def spec_for(function: Any) -> FunctionSpec:
    """The sandbox's view of a moto ``LambdaFunction`` (one version of one function)."""
    reserved = function.reserved_concurrency
    return FunctionSpec(
        account=function.account_id,
        region=function.region,
        name=function.function_name,
        version=str(function.version),
        runtime=function.run_time or "",
        handler=function.handler or "",
        package_type=function.package_type or "Zip",
        code_zip=getattr(function, "code_bytes", b"") or b"",
        code_sha256=getattr(function, "code_sha_256", ""),
        timeout_seconds=int(function.timeout),
        memory_mb=int(function.memory_size),
        environment=dict(function.environment_vars or {}),
        reserved_concurrency=None if reserved is None else int(reserved),
        identity=f"{id(function)}:{function.last_modified}:{function.code.get('UUID', '')}",
    )


def invoke_function(function: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    """``LambdaFunction.invoke`` replaced: run the code and answer as Lambda does."""
    invocation_type = _header(request_headers, "X-Amz-Invocation-Type") or "RequestResponse"
    event = _parse_event(body)
    spec = spec_for(function)
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":  # queued: Invoke answers 202 at once, the handler runs in the background
        worker = threading.Thread(
            target=_run_in_background,
            args=(function, spec, event),
            name=f"lambda-event-{spec.name}",
            daemon=True,
        )
        worker.start()
        return b""
    outcome = _run(function, spec, event)
    response_headers["x-amz-executed-version"] = spec.version
    response_headers["x-amz-log-result"] = outcome.log_result  # moto drops it unless LogType=Tail
    if outcome.function_error:
        response_headers["x-amz-function-error"] = outcome.function_error
    return outcome.payload


# ----------------------------------------------------------------------------- patches
def _track_servers(module: ModuleType) -> None:
    """A ThreadedMotoServer someone starts directly is announced like the local cloud's own moto."""
    from multi_cloud.emulation.http import running

    def url_of(server: Any) -> str:
        host, port = server.get_host_and_port()
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"  # noqa: S104

    def make_start(original: Any) -> Any:
        def start(self: Any) -> None:
            original(self)
            self._cloudai_url = url_of(self)
            running.announce("moto", self._cloudai_url)

        return start

    def make_stop(original: Any) -> Any:
        def stop(self: Any) -> None:
            running.withdraw("moto", getattr(self, "_cloudai_url", ""))
            original(self)

        return stop

    patch_method(module.ThreadedMotoServer, "start", make_start)
    patch_method(module.ThreadedMotoServer, "stop", make_stop)


def _stop_workers_with_backend(module: ModuleType) -> None:
    """Stopping the local cloud's moto (``cloudai local down``, a fixture) kills the functions' workers."""

    def make_stop(original: Any) -> Any:
        def stop(self: Any) -> None:
            try:
                original(self)
            finally:
                stop_workers()

        return stop

    patch_method(module.MotoBackend, "stop", make_stop)


def _patch_lambda_models(module: ModuleType) -> None:
    patch_method(module.LambdaFunction, "invoke", lambda original: invoke_function)

    def make_delete(original: Any) -> Any:
        def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
            original(self, function_name, qualifier)
            if qualifier is None and _sandbox is not None:
                name = function_name.split(":")[6] if function_name.startswith("arn:") else function_name
                _sandbox.forget(self.account_id, self.region_name, name)

        return delete_function

    def make_sqs_send(original: Any) -> Any:
        def send(self: Any, function_arn: str, message: Any, queue_arn: str) -> bool:
            try:
                return bool(original(self, function_arn, message, queue_arn))
            except Exception as exc:  # noqa: BLE001 - SendMessage must succeed; the message stays queued
                logger.warning("SQS event source %s could not invoke %s: %s", queue_arn, function_arn, exc)
                return False

        return send

    patch_method(module.LambdaBackend, "delete_function", make_delete)
    patch_method(module.LambdaBackend, "_send_sqs_message", make_sqs_send)


def _patch_simple_backend(module: ModuleType) -> None:
    from moto.awslambda.models import LambdaBackend

    def make_invoke(original: Any) -> Any:
        def invoke(
            self: Any,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> Any:
            if self.lambda_simple_results_queue:  # results queued through moto's API win, as documented
                return original(self, function_name, qualifier, body, headers, response_headers)
            return LambdaBackend.invoke(self, function_name, qualifier, body, headers, response_headers)

        return invoke

    patch_method(module.LambdaSimpleBackend, "invoke", make_invoke)


def _patch_invoke_qualifier(module: ModuleType) -> None:
    """moto reads Invoke's version or alias from a ``qualifier`` parameter; boto3 sends ``Qualifier``.

    Unpatched, a versioned invoke runs $LATEST (or takes a "qualifier" key of the payload for one).
    """

    def make_invoke(original: Any) -> Any:
        def invoke(self: Any) -> Any:
            self.querystring["qualifier"] = [self.querystring.get("Qualifier", [None])[0]]
            return original(self)

        return invoke

    patch_method(module.LambdaResponse, "invoke", make_invoke)


# ----------------------------------------------------------------------------- helpers
def _run(function: Any, spec: FunctionSpec, event: Any) -> LambdaOutcome:
    try:
        outcome = sandbox().invoke(spec, event)
    except InvokeRefused as refused:
        raise _rest_error(refused) from refused
    _save_logs(function, outcome.logs)
    return outcome


def _run_in_background(function: Any, spec: FunctionSpec, event: Any) -> None:
    try:
        _run(function, spec, event)
    except Exception as exc:  # noqa: BLE001 - an asynchronous invocation has no caller to tell
        _save_logs(function, f"[ERROR] asynchronous invocation of {spec.name} failed: {exc}\n")


def _save_logs(function: Any, logs: str) -> None:
    """Write the execution log to CloudWatch Logs (``/aws/lambda/NAME``), as Lambda does."""
    if not logs:
        return
    try:
        function.logs_backend.ensure_log_group(function.logs_group_name)
        function.save_logs(logs)
    except Exception as exc:  # noqa: BLE001 - losing a log line must not fail the invocation
        logger.warning("could not write the logs of %s: %s", function.function_name, exc)


def _parse_event(body: Any) -> Any:
    if body in (None, "", b""):
        return {}
    try:
        return json.loads(body)
    except (TypeError, ValueError) as exc:
        raise _rest_error(
            InvokeRefused(
                "InvalidRequestContentException", f"Could not parse request body into json: {exc}", 400
            )
        ) from exc


def _header(headers: Any, name: str) -> str:
    if not headers:
        return ""
    lowered = name.lower()
    for key, value in headers.items():
        if str(key).lower() == lowered:
            return str(value)
    return ""


def _rest_error(refused: InvokeRefused) -> Exception:
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(refused.code, refused.message)
    error.code = refused.status
    return error


def _discard(box: LambdaSandbox) -> None:
    box.close()
    shutil.rmtree(box.root, ignore_errors=True)
