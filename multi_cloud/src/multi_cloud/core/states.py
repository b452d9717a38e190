"""Provider-neutral states of jobs and endpoints; each provider maps its own status words onto them."""

from __future__ import annotations

from enum import Enum
from typing import Literal

#: the status words of the first contract (SageMaker's); still accepted from providers that pass no state
JobStatus = Literal["InProgress", "Completed", "Failed", "Stopped"]
EndpointStatus = Literal["Creating", "InService", "Failed", "Deleting"]


class JobState(str, Enum):
    """Where a training or batch job is. ``UNKNOWN``: the provider reported a word it has no mapping for."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"
    UNKNOWN = "UNKNOWN"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.STOPPED)


class EndpointState(str, Enum):
    """Where a serving endpoint is. Only ``READY`` (and ``UPDATING``) endpoints answer predictions."""

    CREATING = "CREATING"
    READY = "READY"
    UPDATING = "UPDATING"
    FAILED = "FAILED"
    DELETING = "DELETING"
    UNKNOWN = "UNKNOWN"


_FIRST_CONTRACT_JOBS = {
    "InProgress": JobState.RUNNING,
    "Completed": JobState.SUCCEEDED,
    "Failed": JobState.FAILED,
    "Stopped": JobState.STOPPED,
}
_FIRST_CONTRACT_ENDPOINTS = {
    "Creating": EndpointState.CREATING,
    "InService": EndpointState.READY,
    "Failed": EndpointState.FAILED,
    "Deleting": EndpointState.DELETING,
}


def job_state(given: JobState | str, status: str) -> JobState:
    """The state a job type stores: ``given`` (a JobState or its value, as read back from JSON), or, when
    the provider passed none, the state of a first-contract ``status`` word."""
    state = JobState(given)
    if state is JobState.UNKNOWN:
        return _FIRST_CONTRACT_JOBS.get(status, JobState.UNKNOWN)
    return state


def endpoint_state(given: EndpointState | str, status: str) -> EndpointState:
    """As :func:`job_state`, for endpoints."""
    state = EndpointState(given)
    if state is EndpointState.UNKNOWN:
        return _FIRST_CONTRACT_ENDPOINTS.get(status, EndpointState.UNKNOWN)
    return state
