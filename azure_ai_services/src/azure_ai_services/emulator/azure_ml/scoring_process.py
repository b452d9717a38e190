"""The parent side of a deployment's worker process: start it, wait for ``init()``, send requests, stop."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WORKER_MODULE = "azure_ai_services.emulator.azure_ml.scoring_worker"
READY_SECONDS = 300.0
REQUEST_SECONDS = 90.0


class WorkerFailed(Exception):
    """The worker could not start (``init()`` raised, the model would not load) or died."""


@dataclass
class Answer:
    status: int
    body: str


class ScoringProcess:
    """One instance of a deployment: a Python process running its scoring script, one request at a time."""

    def __init__(self, work_dir: Path, model_dir: Path, script: Path | None, log_file: Path) -> None:
        self.log_file = log_file
        config = {
            "model_dir": str(model_dir),
            "script": str(script) if script else "",
            "log_file": str(log_file),
        }
        config_path = work_dir / "worker.json"
        config_path.write_text(json.dumps(config))
        env = dict(os.environ, AZUREML_MODEL_DIR=str(model_dir), PYTHONUNBUFFERED="1")
        self._lock = threading.Lock()
        self._process = subprocess.Popen(  # noqa: S603 - our own worker module
            [sys.executable, "-m", WORKER_MODULE, str(config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(script.parent if script else work_dir),
            env=env,
            text=True,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        reply = self._receive(timeout)
        if not reply.get("ready"):
            self.stop()
            raise WorkerFailed(str(reply.get("message") or "the scoring worker did not start"))

    def score(self, body: str) -> Answer:
        with self._lock:
            if self._process.poll() is not None:
                raise WorkerFailed(f"the scoring worker exited with code {self._process.returncode}")
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps({"body": body}) + "\n")
                self._process.stdin.flush()
            except OSError as exc:
                raise WorkerFailed(f"the scoring worker is gone: {exc}") from exc
            reply = self._receive(REQUEST_SECONDS)
        if reply.get("ok"):
            return Answer(200, str(reply.get("body", "")))
        return Answer(int(str(reply.get("status") or 500)), str(reply.get("message", "")))

    def _receive(self, timeout: float) -> dict[str, object]:
        assert self._process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._process.stdout], [], [], 0.5)
            if ready:
                line = self._process.stdout.readline()
                if line:
                    reply: dict[str, object] = json.loads(line)
                    return reply
                break
            if self._process.poll() is not None:
                break
        code = self._process.poll()
        self.stop()
        raise WorkerFailed(
            "the scoring worker timed out" if code is None else f"the scoring worker exited with code {code}"
        )

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        """End the worker's process group (the script's own children too)."""
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, 15)
                self._process.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self._process.pid, 9)
                except ProcessLookupError:
                    pass
                self._process.wait(5)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
