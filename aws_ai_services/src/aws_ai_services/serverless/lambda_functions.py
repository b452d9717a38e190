"""LambdaFunctions: package, deploy, invoke and trigger AWS Lambda functions; AWSFunctions: the capability.

In local mode moto holds the functions and ``aws_ai_services.emulator.lambda_runtime`` runs their code in
local worker processes, so invocations, errors, timeouts and triggers behave as they do in AWS.
"""

from __future__ import annotations

import base64
import builtins
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from multi_cloud.core.base import FunctionService
from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.types import FunctionInfo, InvocationResult
from multi_cloud.onprem import function_code

from aws_ai_services.errors import aws_errors
from aws_ai_services.serverless.iam_roles import LAMBDA_LOGS_POLICY, ensure_service_role
from aws_ai_services.serverless.packaging import code_sha256, package_directory
from aws_ai_services.serverless.role_propagation import retry_while_role_propagates
from aws_ai_services.session import ServiceClient, aws_client

DEFAULT_RUNTIME = "python3.11"
EXECUTION_ROLE = "cloudai-lambda-execution"


class LambdaFunctions:
    """AWS Lambda through boto3: one object per account and region."""

    def __init__(self, settings: Settings | None = None, *, role_arn: str = "") -> None:
        self.settings = settings or get_settings()
        self._role_arn = role_arn

    client = ServiceClient("lambda")

    @property
    def role_arn(self) -> str:
        """The execution role functions run as (``cloudai-lambda-execution``, created if needed)."""
        if not self._role_arn:
            iam = aws_client("iam", self.settings)
            self._role_arn = ensure_service_role(
                iam, EXECUTION_ROLE, "lambda.amazonaws.com", {"cloudai-lambda-logs": LAMBDA_LOGS_POLICY}
            )
        return self._role_arn

    # ------------------------------------------------------------------ deploy
    def deploy(
        self,
        name: str,
        source_dir: str,
        handler: str,
        *,
        runtime: str = DEFAULT_RUNTIME,
        timeout_seconds: int = 30,
        memory_mb: int = 256,
        environment: Mapping[str, str] | None = None,
        description: str = "",
    ) -> dict[str, Any]:
        """Create ``name`` or update its code and configuration, wait until it is ready, publish a version.

        Returns the published version's configuration (``Version`` is its number).
        """
        function_code.validate_function_name(name)
        if runtime.startswith("python"):
            function_code.validate_handler(function_code.check_source_dir(source_dir), handler)
        package = package_directory(source_dir)
        settings = {
            "Role": self.role_arn,
            "Handler": handler,
            "Runtime": runtime,
            "Timeout": int(timeout_seconds),
            "MemorySize": int(memory_mb),
            "Environment": {"Variables": {str(k): str(v) for k, v in (environment or {}).items()}},
            "Description": description,
        }
        current = self._configuration_or_none(name)
        with aws_errors("functions.deploy"):
            if current is None:
                self._create(name, package, settings)
            else:
                if current.get("CodeSha256") != code_sha256(package):
                    self.client.update_function_code(FunctionName=name, ZipFile=package)
                    self._wait_updated(name)
                self.client.update_function_configuration(FunctionName=name, **settings)
            self._wait_updated(name)
            return dict(self.client.publish_version(FunctionName=name))

    def configuration(self, name: str, qualifier: str = "") -> dict[str, Any]:
        with aws_errors("functions.get"):
            extra = {"Qualifier": qualifier} if qualifier else {}
            return dict(self.client.get_function_configuration(FunctionName=name, **extra))

    def list(self) -> list[dict[str, Any]]:
        """Every function's $LATEST configuration."""
        with aws_errors("functions.list"):
            pages = self.client.get_paginator("list_functions").paginate()
            return [dict(f) for page in pages for f in page["Functions"]]

    def delete(self, name: str) -> None:
        with aws_errors("functions.delete"):
            self.client.delete_function(FunctionName=name)

    # ------------------------------------------------------------------ versions and aliases
    def publish_version(self, name: str, description: str = "") -> str:
        with aws_errors("functions.publish_version"):
            return str(self.client.publish_version(FunctionName=name, Description=description)["Version"])

    def set_alias(self, name: str, alias: str, version: str) -> str:
        """Point ``alias`` (e.g. "live") at ``version``, creating it if needed; returns the alias ARN."""
        with aws_errors("functions.set_alias"):
            try:
                answer = self.client.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)
            except self.client.exceptions.ResourceNotFoundException:
                answer = self.client.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)
        return str(answer["AliasArn"])

    # ------------------------------------------------------------------ invoke
    def invoke(self, name: str, event: Any = None, *, qualifier: str = "") -> InvocationResult:
        """Invoke synchronously (RequestResponse) with the log tail; handler errors come back as results."""
        payload = _encode(name, event)
        started = time.perf_counter()
        with aws_errors("functions.invoke"):
            extra = {"Qualifier": qualifier} if qualifier else {}
            answer = self.client.invoke(FunctionName=name, Payload=payload, LogType="Tail", **extra)
            body = answer["Payload"].read()
        elapsed_ms = (time.perf_counter() - started) * 1000
        return _invocation_result(name, answer, body, elapsed_ms)

    def invoke_async(self, name: str, event: Any = None) -> int:
        """Queue an asynchronous invocation (InvocationType=Event); returns the status code, 202."""
        with aws_errors("functions.invoke_async"):
            answer = self.client.invoke(
                FunctionName=name, Payload=_encode(name, event), InvocationType="Event"
            )
        return int(answer["StatusCode"])

    def logs(self, name: str, *, contains: str = "") -> builtins.list[str]:  # list: the method above
        """The function's CloudWatch log lines (``/aws/lambda/NAME``), oldest first."""
        logs = aws_client("logs", self.settings)
        request: dict[str, Any] = {"logGroupName": f"/aws/lambda/{name}"}
        if contains:
            request["filterPattern"] = f'"{contains}"'
        try:
            with aws_errors("functions.logs"):
                pages = logs.get_paginator("filter_log_events").paginate(**request)
                return [event["message"] for page in pages for event in page["events"]]
        except NotFound:
            return []

    # ------------------------------------------------------------------ triggers
    def add_sqs_trigger(self, name: str, queue_arn: str, *, batch_size: int = 10) -> str:
        """Run ``name`` for messages sent to the queue (an event source mapping); returns its UUID."""
        with aws_errors("functions.add_sqs_trigger"):
            mapping = self.client.create_event_source_mapping(
                EventSourceArn=queue_arn, FunctionName=name, BatchSize=batch_size, Enabled=True
            )
        uuid = str(mapping["UUID"])
        self._wait_mapping(uuid, "Enabled")
        return uuid

    def remove_trigger(self, uuid: str) -> None:
        with aws_errors("functions.remove_trigger"):
            self.client.delete_event_source_mapping(UUID=uuid)

    def add_s3_trigger(
        self,
        name: str,
        bucket: str,
        *,
        events: Iterable[str] = ("s3:ObjectCreated:*",),
        prefix: str = "",
        suffix: str = "",
    ) -> None:
        """Run ``name`` when objects matching ``prefix``/``suffix`` are created in ``bucket``."""
        function_arn = self.configuration(name)["FunctionArn"]
        self._allow(name, f"s3-{bucket}", "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
        rules = [{"Name": k, "Value": v} for k, v in (("prefix", prefix), ("suffix", suffix)) if v]
        entry: dict[str, Any] = {"LambdaFunctionArn": function_arn, "Events": list(events)}
        if rules:
            entry["Filter"] = {"Key": {"FilterRules": rules}}
        s3 = aws_client("s3", self.settings)
        with aws_errors("functions.add_s3_trigger"):
            config = s3.get_bucket_notification_configuration(Bucket=bucket)
            config.pop("ResponseMetadata", None)
            config.setdefault("LambdaFunctionConfigurations", []).append(entry)
            s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)

    def allow_invocation(self, name: str, statement_id: str, principal: str, source_arn: str) -> None:
        """Let a service (e.g. "events.amazonaws.com") invoke ``name`` for ``source_arn``."""
        self._allow(name, statement_id, principal, source_arn)

    # ------------------------------------------------------------------ internals
    def _create(self, name: str, package: bytes, settings: dict[str, Any]) -> None:
        # a role created moments ago is not yet assumable by Lambda: retried for up to a minute
        retry_while_role_propagates(
            lambda: self.client.create_function(FunctionName=name, Code={"ZipFile": package}, **settings)
        )
        self.client.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )

    def _wait_updated(self, name: str) -> None:
        self.client.get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )

    def _configuration_or_none(self, name: str) -> dict[str, Any] | None:
        try:
            return self.configuration(name)
        except NotFound:
            return None

    def _wait_mapping(self, uuid: str, state: str, timeout_seconds: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        with aws_errors("functions.wait_trigger"):
            while self.client.get_event_source_mapping(UUID=uuid)["State"] != state:
                if time.monotonic() > deadline:
                    raise InvalidArgument(
                        f"event source mapping {uuid} did not become {state} in {timeout_seconds} s"
                    )
                time.sleep(0.5)

    def _allow(self, name: str, statement_id: str, principal: str, source_arn: str) -> None:
        with aws_errors("functions.add_permission"):
            try:
                self.client.add_permission(
                    FunctionName=name,
                    StatementId=statement_id,
                    Action="lambda:InvokeFunction",
                    Principal=principal,
                    SourceArn=source_arn,
                )
            except self.client.exceptions.ResourceConflictException:
                pass  # the same statement exists already


class AWSFunctions(FunctionService):
    """The functions capability on AWS Lambda (each deploy publishes a version)."""

    def __init__(
        self, provider: str = "aws", settings: Settings | None = None, *, role_arn: str = ""
    ) -> None:
        super().__init__(provider)
        self.lambdas = LambdaFunctions(settings, role_arn=role_arn)

    def deploy(
        self,
        name: str,
        source_dir: str,
        handler: str,
        *,
        timeout_seconds: int = 30,
        memory_mb: int = 256,
        environment: Mapping[str, str] | None = None,
    ) -> FunctionInfo:
        if not 0 < timeout_seconds <= 900 or int(timeout_seconds) != timeout_seconds:
            raise InvalidArgument(
                f"timeout_seconds must be a whole number of seconds in 1..900, got {timeout_seconds}"
            )
        published = self.lambdas.deploy(
            name,
            source_dir,
            handler,
            timeout_seconds=int(timeout_seconds),
            memory_mb=memory_mb,
            environment=environment,
        )
        return _function_info(published, self.provider)

    def invoke(self, name: str, event: Any) -> InvocationResult:
        return self.lambdas.invoke(name, event)

    def delete(self, name: str) -> None:
        self.lambdas.delete(name)

    def list_functions(self) -> list[FunctionInfo]:
        return [_function_info(config, self.provider) for config in self.lambdas.list()]


def _encode(name: str, event: Any) -> bytes:
    try:
        return json.dumps({} if event is None else event).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"the event for {name!r} is not JSON-serialisable ({exc}); pass dicts, lists, strings, numbers, "
            "booleans or None",
            provider="aws",
            operation="functions.invoke",
        ) from None


def _invocation_result(
    name: str, answer: Mapping[str, Any], body: bytes, elapsed_ms: float
) -> InvocationResult:
    logs = base64.b64decode(answer.get("LogResult", "") or "").decode("utf-8", "replace")
    try:
        payload: Any = json.loads(body) if body else None
    except ValueError:
        payload = body.decode("utf-8", "replace")
    cold = "Init Duration:" in logs  # Lambda reports the init time only on a cold start
    if not answer.get("FunctionError"):
        return InvocationResult(
            function=name,
            status_code=int(answer["StatusCode"]),
            payload=payload,
            logs=logs,
            duration_ms=elapsed_ms,
            cold_start=cold,
        )
    error = payload if isinstance(payload, dict) else {"errorMessage": str(payload)}
    error_type = str(error.get("errorType") or answer["FunctionError"])
    message = str(error.get("errorMessage", ""))
    frames = "".join(error.get("stackTrace") or [])
    return InvocationResult(
        function=name,
        status_code=int(answer["StatusCode"]),
        payload=payload,
        error_type=error_type,
        error_message=message,
        # Python's own layout, rebuilt from Lambda's stackTrace frames
        traceback=f"Traceback (most recent call last):\n{frames}{error_type}: {message}\n" if frames else "",
        logs=logs,
        duration_ms=elapsed_ms,
        cold_start=cold,
    )


def _function_info(config: Mapping[str, Any], provider: str) -> FunctionInfo:
    return FunctionInfo(
        name=str(config["FunctionName"]),
        runtime=str(config.get("Runtime", "")),
        handler=str(config.get("Handler", "")),
        timeout_seconds=int(config.get("Timeout", 3)),
        memory_mb=int(config.get("MemorySize", 128)),
        provider=provider,
        version=str(config.get("Version", "$LATEST")),
    )
