"""Neutral job and endpoint states: given explicitly, read back from JSON, or from first-contract words."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from multi_cloud.core.types import Endpoint, EndpointState, JobState, TrainingJob


def test_an_explicit_state_wins_and_the_native_word_is_kept() -> None:
    job = TrainingJob("j", status="JOB_STATE_RUNNING", provider="gcp", state=JobState.RUNNING)
    assert job.state is JobState.RUNNING and job.native_status == "JOB_STATE_RUNNING"
    assert not job.state.finished


def test_first_contract_words_still_give_a_state() -> None:
    assert TrainingJob("j", status="Completed", provider="x").state is JobState.SUCCEEDED
    assert Endpoint("e", status="InService", provider="x").state is EndpointState.READY
    assert TrainingJob("j", status="JOB_STATE_RUNNING", provider="gcp").state is JobState.UNKNOWN


def test_state_survives_a_json_round_trip() -> None:
    job = TrainingJob("j", status="Stopping", provider="aws", state=JobState.STOPPING)
    record = json.loads(json.dumps(asdict(job)))
    assert record["state"] == "STOPPING"
    assert TrainingJob(**record) == job


def test_a_word_that_is_no_state_is_refused() -> None:
    with pytest.raises(ValueError, match="RUNNIN"):
        TrainingJob("j", status="x", provider="x", state="RUNNIN")  # type: ignore[arg-type]  # on purpose
