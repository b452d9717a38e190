"""The retry shared by Lambda and Step Functions while a new IAM role propagates: only that error, bounded."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from aws_ai_services.serverless.iam_roles import trust_policy
from aws_ai_services.serverless.packaging import package_directory
from aws_ai_services.serverless.role_propagation import (
    is_role_not_yet_assumable,
    retry_while_role_propagates,
)
from botocore.config import Config
from botocore.exceptions import ClientError

#: what Step Functions answers CreateStateMachine with while the role is not yet assumable (moto never does)
STATES_ROLE_ERROR = ClientError(
    {
        "Error": {
            "Code": "AccessDeniedException",
            "Message": "Neither the global service principal states.amazonaws.com, nor the regional one is "
            "authorized to assume the provided role.",
        }
    },
    "CreateStateMachine",
)


class FakeClock:
    """A clock that only moves when slept on, recording each sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(times: int, error: Exception, answer: str = "created") -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return answer

    return call, calls


def test_lambda_create_function_is_retried_until_the_new_role_exists(
    clean_cloud: Any, boto_client: Callable[..., Any], tmp_path: Any
) -> None:
    """A real moto sequence: Lambda refuses a role that IAM does not know yet, then accepts it."""
    (tmp_path / "handler.py").write_text("def handle(event, context):\n    return event\n")
    lambdas = boto_client("lambda", config=Config(retries={"total_max_attempts": 1}))
    iam = boto_client("iam")
    role = f"late-role-{uuid.uuid4().hex[:6]}"
    role_arn = f"arn:aws:iam::{boto_client('sts').get_caller_identity()['Account']}:role/{role}"
    clock = FakeClock()

    def sleep_while_iam_propagates(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 2:  # the role becomes visible during the second wait
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy("lambda.amazonaws.com"))

    answer = retry_while_role_propagates(
        lambda: lambdas.create_function(
            FunctionName=role,
            Runtime="python3.11",
            Role=role_arn,
            Handler="handler.handle",
            Code={"ZipFile": package_directory(str(tmp_path))},
        ),
        sleep=sleep_while_iam_propagates,
        clock=clock,
    )
    assert answer["Role"] == role_arn and answer["FunctionName"] == role
    assert clock.sleeps == [1.0, 2.0]  # two refusals, doubling back-off


def test_step_functions_role_error_is_retried_with_doubling_delays_capped() -> None:
    assert is_role_not_yet_assumable(STATES_ROLE_ERROR)
    call, calls = failing(5, STATES_ROLE_ERROR)
    clock = FakeClock()
    assert retry_while_role_propagates(call, sleep=clock.sleep, clock=clock) == "created"
    assert len(calls) == 6 and clock.sleeps == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_gives_up_at_the_deadline_with_the_services_error() -> None:
    call, calls = failing(1000, STATES_ROLE_ERROR)
    clock = FakeClock()
    with pytest.raises(ClientError) as caught:
        retry_while_role_propagates(call, timeout_seconds=60, sleep=clock.sleep, clock=clock)
    assert caught.value is STATES_ROLE_ERROR
    assert clock.now == 60.0 and sum(clock.sleeps) == 60.0  # the last wait is cut to the deadline
    assert clock.sleeps[:5] == [1.0, 2.0, 4.0, 8.0, 8.0] and len(calls) == len(clock.sleeps) + 1


def test_other_errors_are_raised_at_once(clean_cloud: Any, boto_client: Callable[..., Any]) -> None:
    states = boto_client("stepfunctions", config=Config(retries={"total_max_attempts": 1}))
    calls: list[int] = []

    def create_invalid() -> Any:
        calls.append(1)
        return states.create_state_machine(
            name="x", definition=json.dumps({"StartAt": "A"}), roleArn="not-an-arn"
        )

    clock = FakeClock()
    with pytest.raises(ClientError) as caught:
        retry_while_role_propagates(create_invalid, sleep=clock.sleep, clock=clock)
    assert not is_role_not_yet_assumable(caught.value)
    assert calls == [1] and clock.sleeps == []
    # the same code with another message (a real permission problem) is not waited for either
    denied = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "User is not authorized to perform: x"}}, "X"
    )
    call, calls = failing(1, denied)
    with pytest.raises(ClientError):
        retry_while_role_propagates(call, sleep=clock.sleep, clock=clock)
    assert calls == [1] and clock.sleeps == []
    assert not is_role_not_yet_assumable(ValueError("cannot be assumed by Lambda"))
