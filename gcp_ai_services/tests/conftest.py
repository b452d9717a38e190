"""Shared fixtures for the GCP tests: the Google emulator and gcp-storage-emulator, once per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gcp_ai_services.client import GCPProvider
from gcp_ai_services.session import clear_client_cache
from multi_cloud.core.settings import get_settings
from multi_cloud.local_cloud.cloud import LocalCloud

#: the local cloud's Google backends (entry points ``gcp`` and ``gcs``)
GOOGLE_BACKENDS = ["gcp", "gcs"]


@pytest.fixture(scope="session")
def google_cloud() -> Iterator[LocalCloud]:
    """The Google backends of the local cloud, started once, their variables exported."""
    cloud = LocalCloud(GOOGLE_BACKENDS, preferred_ports=False).start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    clear_client_cache()
    try:
        yield cloud
    finally:
        cloud.restore_env(previous)
        get_settings.cache_clear()
        clear_client_cache()
        cloud.stop()


@pytest.fixture
def clean_google(google_cloud: LocalCloud) -> LocalCloud:
    """The session's Google backends with their state (buckets, quota counts) forgotten."""
    google_cloud.reset()
    return google_cloud


@pytest.fixture
def emulator(clean_google: LocalCloud) -> Any:
    """The Google AI emulator backend (its ``state`` holds the quotas)."""
    return next(b for b in clean_google.backends if b.name == "gcp")


@pytest.fixture
def provider(clean_google: LocalCloud) -> GCPProvider:
    return GCPProvider()


@pytest.fixture
def endpoint(clean_google: LocalCloud) -> dict[str, Any]:
    """What a learner's own code passes to any google-cloud-* client to reach the emulator."""
    import os

    from google.auth.credentials import AnonymousCredentials

    return {
        "transport": "rest",
        "client_options": {"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        "credentials": AnonymousCredentials(),
    }


def status_of(error: Any) -> str:
    """The canonical status Google put in an error body (``"NOT_FOUND"``)."""
    return str(error.response.json()["error"]["status"])


@pytest.fixture
def fast_vertex_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The aiplatform SDK polls a job every 5 s; local jobs end in well under a second."""
    from google.cloud.aiplatform import jobs, training_jobs

    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.1)
    monkeypatch.setattr(training_jobs, "_JOB_WAIT_TIME", 0.1)


@pytest.fixture(autouse=True)
def fast_operation_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """google-api-core polls a long-running operation after 1 s, then 1.5 s...; local ones settle sooner.

    Only operations left at the library's default polling are sped up (every 50 ms, at most 0.5 s apart):
    the requests on the wire are the same, only closer together.
    """
    from google.api_core.future import polling as api_polling

    default = api_polling.DEFAULT_POLLING
    fast = default.with_delay(initial=0.05, multiplier=1.5, maximum=0.5)
    blocking_poll = api_polling.PollingFuture._blocking_poll
    unset = api_polling.PollingFuture._DEFAULT_VALUE

    def poll_sooner(future: Any, timeout: Any = unset, retry: Any = None, polling: Any = None) -> None:
        if polling is None and future._polling is default:
            polling = fast
        blocking_poll(future, timeout, retry, polling)

    monkeypatch.setattr(api_polling.PollingFuture, "_blocking_poll", poll_sooner)
