"""Background jobs of an emulator: one thread per job, a stop request per job, and a reset that ends them all.

The server owns its jobs (as the cloud does): a create call submits the work and returns at once, a describe
call reads the state the work keeps updating, a stop call sets the job's stop event (the runner turns it
into SIGTERM/SIGKILL of the job's process group), and resetting the emulator stops every job and waits for
it, so no job writes into the state of the next test.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("multi_cloud.emulation.jobs")
#: how long a reset waits for each stopped job to finish its bookkeeping
JOIN_SECONDS = 10.0


@dataclass
class BackgroundJob:
    """One submitted job: its thread and the event that asks it to stop."""

    key: str
    scope: str
    stop_requested: threading.Event = field(default_factory=threading.Event)
    cancelled: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_stores: list[JobStore] = []


def cancel_everywhere(scope: str) -> None:
    """Cancel ``scope`` in every store, newest store first (a tuning job before the trials it creates)."""
    for store in reversed(_stores):
        store.cancel_scope(scope)


class JobStore:
    """Jobs by key (e.g. a training job's ARN), grouped by scope (e.g. one moto backend) for resets."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: dict[str, BackgroundJob] = {}
        self._lock = threading.Lock()
        _stores.append(self)

    def submit(self, key: str, scope: str, work: Callable[[BackgroundJob], None]) -> BackgroundJob:
        """Start ``work(job)`` in a daemon thread; an exception in it is logged, never raised here."""
        job = BackgroundJob(key=key, scope=scope)

        def body() -> None:
            try:
                work(job)
            except Exception:  # noqa: BLE001 - the job records its own failure; this is the last resort
                log.exception("%s job %s failed unexpectedly", self.name, key)

        job.thread = threading.Thread(target=body, name=f"{self.name}-{key[-40:]}", daemon=True)
        with self._lock:
            self._jobs[key] = job
        job.thread.start()
        return job

    def get(self, key: str) -> BackgroundJob | None:
        with self._lock:
            return self._jobs.get(key)

    def stop(self, key: str) -> bool:
        """Ask a running job to stop; False when there is no such running job."""
        job = self.get(key)
        if job is None or not job.running:
            return False
        job.stop_requested.set()
        return True

    def cancel_scope(self, scope: str) -> None:
        """Stop every job of ``scope`` and wait for them: their results are discarded (a reset)."""
        with self._lock:
            doomed = [job for job in self._jobs.values() if job.scope == scope]
            for job in doomed:
                del self._jobs[job.key]
        for job in doomed:
            job.cancelled.set()
            job.stop_requested.set()
        for job in doomed:
            if job.thread is not None:
                job.thread.join(JOIN_SECONDS)

    def wait(self, key: str, timeout: float | None = None) -> bool:
        """Wait for a job's thread to end; True when it has."""
        job = self.get(key)
        if job is None or job.thread is None:
            return True
        job.thread.join(timeout)
        return not job.thread.is_alive()
