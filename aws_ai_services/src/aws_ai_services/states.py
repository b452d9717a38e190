"""The one mapping of SageMaker's status words onto the neutral JobState and EndpointState."""

from __future__ import annotations

from collections.abc import Mapping

from multi_cloud.core.types import EndpointState, JobState

#: TrainingJobStatus, TransformJobStatus, HyperParameterTuningJobStatus and ProcessingJobStatus
JOB_STATES: Mapping[str, JobState] = {
    "InProgress": JobState.RUNNING,
    "Completed": JobState.SUCCEEDED,
    "Failed": JobState.FAILED,
    "Stopping": JobState.STOPPING,
    "Stopped": JobState.STOPPED,
    "Deleting": JobState.STOPPED,  # a training job being deleted runs no more
}
#: EndpointStatus. An endpoint being updated (or rolled back) still answers with its current variants;
#: OutOfService and UpdateRollbackFailed need an operator, so they count as FAILED.
ENDPOINT_STATES: Mapping[str, EndpointState] = {
    "Creating": EndpointState.CREATING,
    "InService": EndpointState.READY,
    "Updating": EndpointState.UPDATING,
    "SystemUpdating": EndpointState.UPDATING,
    "RollingBack": EndpointState.UPDATING,
    "UpdateRollbackFailed": EndpointState.FAILED,
    "OutOfService": EndpointState.FAILED,
    "Failed": EndpointState.FAILED,
    "Deleting": EndpointState.DELETING,
}


def job_state(status: str) -> JobState:
    """The neutral state of a SageMaker job status ("InProgress" -> RUNNING); UNKNOWN for a new word."""
    return JOB_STATES.get(status, JobState.UNKNOWN)


def endpoint_state(status: str) -> EndpointState:
    """The neutral state of a SageMaker endpoint status ("InService" -> READY); UNKNOWN for a new word."""
    return ENDPOINT_STATES.get(status, EndpointState.UNKNOWN)
