"""Fixtures shared by the AutoML tests: the SDK pointed at the emulator, a bucket, uploaded sample tables."""

from __future__ import annotations

import os
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform, storage

BUCKET = "automl-data"
PROJECT = "cloudai-local"


@pytest.fixture
def automl_bucket(clean_google: Any, monkeypatch: pytest.MonkeyPatch) -> storage.Bucket:
    """``aiplatform.init`` as the docs write it, pointed at the emulator; a data bucket created."""
    from google.cloud.aiplatform import jobs, training_jobs

    # the SDK polls every 5 s or more; local pipelines take seconds, so poll faster (behaviour unchanged)
    monkeypatch.setattr(training_jobs, "_JOB_WAIT_TIME", 0.5)
    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.5)
    bucket = storage.Client(project=PROJECT, credentials=AnonymousCredentials()).create_bucket(BUCKET)
    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
    )
    return bucket


def upload_text(bucket: storage.Bucket, name: str, text: str) -> str:
    bucket.blob(name).upload_from_string(text)
    return f"gs://{bucket.name}/{name}"
