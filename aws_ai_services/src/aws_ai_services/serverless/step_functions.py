"""StepFunctionsWorkflows: create state machines, run executions to completion, read their history.

In local mode moto's ASL interpreter really executes the definition (the local cloud turns on
``stepfunctions.execute_state_machine``); its Task states invoke Lambda functions, which the emulator runs.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from multi_cloud.core.errors import InvalidArgument, Unavailable
from multi_cloud.core.settings import Settings, get_settings

from aws_ai_services.errors import aws_errors
from aws_ai_services.serverless import asl
from aws_ai_services.serverless.iam_roles import ensure_service_role
from aws_ai_services.serverless.role_propagation import retry_while_role_propagates
from aws_ai_services.session import ServiceClient, aws_client

EXECUTION_ROLE = "cloudai-states-execution"
#: lets the state machine invoke any Lambda function of the account (narrow it in production)
INVOKE_LAMBDA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}],
}
FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


@dataclass(frozen=True)
class WorkflowExecution:
    """One execution of a state machine; ``output`` is parsed JSON once it SUCCEEDED."""

    arn: str
    name: str
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    input: Any = None
    output: Any = None
    error: str = ""
    cause: str = ""
    started: datetime | None = None
    stopped: datetime | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"


class StepFunctionsWorkflows:
    """AWS Step Functions (standard workflows) through boto3."""

    def __init__(self, settings: Settings | None = None, *, role_arn: str = "") -> None:
        self.settings = settings or get_settings()
        self._role_arn = role_arn

    client = ServiceClient("stepfunctions")

    @property
    def role_arn(self) -> str:
        """The role executions run as (``cloudai-states-execution``, created if needed)."""
        if not self._role_arn:
            iam = aws_client("iam", self.settings)
            self._role_arn = ensure_service_role(
                iam, EXECUTION_ROLE, "states.amazonaws.com", {"cloudai-invoke-lambda": INVOKE_LAMBDA_POLICY}
            )
        return self._role_arn

    # ------------------------------------------------------------------ state machines
    @staticmethod
    def validate(definition: Mapping[str, Any]) -> list[str]:
        """Structural problems AWS would report (missing transition targets, unreachable states...)."""
        return asl.static_problems(definition)

    def create(self, name: str, definition: Mapping[str, Any]) -> str:
        """Create state machine ``name`` (or update its definition); returns its ARN.

        Raises InvalidArgument with AWS's message for an invalid definition (InvalidDefinition).
        """
        problems = self.validate(definition)
        if problems:
            raise InvalidArgument(
                f"InvalidDefinition: Invalid State Machine Definition: '{'; '.join(problems)}'",
                provider="aws",
                operation="workflows.create",
            )
        text, role = json.dumps(definition), self.role_arn
        existing = self._arn_or_none(name)
        # a role created moments ago is not yet assumable by Step Functions: retried for up to a minute
        with aws_errors("workflows.create"):
            if existing:
                retry_while_role_propagates(
                    lambda: self.client.update_state_machine(
                        stateMachineArn=existing, definition=text, roleArn=role
                    )
                )
                return existing
            answer = retry_while_role_propagates(
                lambda: self.client.create_state_machine(name=name, definition=text, roleArn=role)
            )
        return str(answer["stateMachineArn"])

    def definition(self, state_machine_arn: str) -> dict[str, Any]:
        with aws_errors("workflows.describe"):
            answer = self.client.describe_state_machine(stateMachineArn=state_machine_arn)
        return dict(json.loads(answer["definition"]))

    def delete(self, state_machine_arn: str) -> None:
        with aws_errors("workflows.delete"):
            self.client.delete_state_machine(stateMachineArn=state_machine_arn)

    # ------------------------------------------------------------------ executions
    def start(self, state_machine_arn: str, input: Any = None, *, name: str = "") -> str:
        """Start an execution (named ``name`` or a fresh UUID); returns its ARN."""
        with aws_errors("workflows.start"):
            answer = self.client.start_execution(
                stateMachineArn=state_machine_arn,
                name=name or str(uuid.uuid4()),
                input=json.dumps({} if input is None else input),
            )
        return str(answer["executionArn"])

    def describe(self, execution_arn: str) -> WorkflowExecution:
        with aws_errors("workflows.describe_execution"):
            answer = self.client.describe_execution(executionArn=execution_arn)
        return _execution(answer)

    def wait(
        self, execution_arn: str, *, timeout_seconds: float = 120.0, poll_seconds: float = 0.1
    ) -> WorkflowExecution:
        """Poll DescribeExecution until the execution finishes (growing the interval up to 2 s)."""
        deadline = time.monotonic() + timeout_seconds
        interval = poll_seconds
        while True:
            execution = self.describe(execution_arn)
            if execution.status in FINISHED:
                return execution
            if time.monotonic() > deadline:
                raise Unavailable(
                    f"execution {execution.name} still {execution.status} after {timeout_seconds} s; "
                    "wait longer, or stop it with stop_execution",
                    provider="aws",
                    operation="workflows.wait",
                )
            time.sleep(interval)
            interval = min(interval * 1.5, 2.0)

    def run(
        self, state_machine_arn: str, input: Any = None, *, timeout_seconds: float = 120.0
    ) -> WorkflowExecution:
        """Start an execution and wait for its result."""
        return self.wait(self.start(state_machine_arn, input), timeout_seconds=timeout_seconds)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every history event (type, id, timestamp and its details), oldest first."""
        with aws_errors("workflows.history"):
            pages = self.client.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
            return [dict(event) for page in pages for event in page["events"]]

    def states_entered(self, execution_arn: str) -> list[str]:
        """The names of the states the execution entered, in order."""
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in self.history(execution_arn)
            if "stateEnteredEventDetails" in event
        ]

    # ------------------------------------------------------------------ internals
    def _arn_or_none(self, name: str) -> str:
        with aws_errors("workflows.list"):
            for page in self.client.get_paginator("list_state_machines").paginate():
                for machine in page["stateMachines"]:
                    if machine["name"] == name:
                        return str(machine["stateMachineArn"])
        return ""


def _execution(answer: Mapping[str, Any]) -> WorkflowExecution:
    return WorkflowExecution(
        arn=str(answer["executionArn"]),
        name=str(answer.get("name", "")),
        status=str(answer["status"]),
        input=_json(answer.get("input")),
        output=_json(answer.get("output")),
        error=str(answer.get("error", "")),
        cause=str(answer.get("cause", "")),
        started=answer.get("startDate"),
        stopped=answer.get("stopDate"),
    )


def _json(text: str | None) -> Any:
    """Parsed JSON; moto's interpreter returns a bare string output unquoted, which is kept as text."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
