"""Retry a call that AWS refuses only because an IAM role created moments ago has not propagated yet."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")

#: how long a new role may take to become assumable by a service (usually seconds; allow a minute)
ROLE_PROPAGATION_SECONDS = 60.0

#: (error code, message fragment) of "the service cannot assume this role (yet)", per service
ROLE_NOT_YET_ASSUMABLE = (
    # Lambda CreateFunction: "The role defined for the function cannot be assumed by Lambda."
    ("InvalidParameterValueException", "cannot be assumed by Lambda"),
    # Step Functions CreateStateMachine / UpdateStateMachine: "Neither the global service principal
    # states.amazonaws.com, nor the regional one is authorized to assume the provided role."
    ("AccessDeniedException", "authorized to assume the provided role"),
)


def is_role_not_yet_assumable(error: BaseException) -> bool:
    """True for the service errors a newly created, not yet propagated role causes (and nothing else)."""
    if not isinstance(error, ClientError):
        return False
    details = error.response.get("Error", {})
    code, message = str(details.get("Code", "")), str(details.get("Message", ""))
    return any(code == known and fragment in message for known, fragment in ROLE_NOT_YET_ASSUMABLE)


def retry_while_role_propagates(
    call: Callable[[], T],
    *,
    timeout_seconds: float = ROLE_PROPAGATION_SECONDS,
    first_delay: float = 1.0,
    max_delay: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """``call()``, retried with doubling delays (``first_delay`` up to ``max_delay``) while it fails with
    a role-propagation error, for at most ``timeout_seconds``; any other error, or the same one after the
    deadline, is raised as it came."""
    deadline = clock() + timeout_seconds
    delay = first_delay
    while True:
        try:
            return call()
        except ClientError as error:
            remaining = deadline - clock()
            if not is_role_not_yet_assumable(error) or remaining <= 0:
                raise
            sleep(min(delay, remaining))
            delay = min(delay * 2, max_delay)
