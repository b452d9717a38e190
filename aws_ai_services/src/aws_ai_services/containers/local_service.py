"""Run an ECS service's tasks on this machine: one model-server process per task, on loopback ports.

moto stores the service but starts no containers, and there is no Docker engine here; this is the part
that really runs. It reads the service (desired count, task definition) and the task definition (container
environment, port, log group) from ECS, then starts ``desired_count`` processes of
``python -m aws_ai_services.containers.model_server`` on free 127.0.0.1 ports with that environment — so
each task downloads ``MODEL_S3_URI`` from S3 itself, as the container would. A round-robin client spreads
requests over them (a load balancer's job on AWS). :meth:`LocalService.stop` ends every process and ships
each task's output to the task definition's CloudWatch log group, named as the awslogs driver names streams.

Not emulated: the cpu/memory limits, networking (awsvpc, security groups), image pulls, ECS restarts of
failed tasks, and autoscaling (no CPU metrics reach CloudWatch).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import CloudError, InvalidArgument, NotFound, Unavailable
from multi_cloud.emulation.http.ports import LOOPBACK, free_port

from aws_ai_services.errors import aws_errors
from aws_ai_services.session import aws_client

SERVER_MODULE = "aws_ai_services.containers.model_server"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer from a task."""

    task_id: str
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalTask:
    """One running model-server process standing in for an ECS task."""

    task_id: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    final_logs: str = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def logs(self) -> str:
        """What the task printed so far (after stop: everything it printed)."""
        if self.final_logs or not self.log_path.exists():
            return self.final_logs
        return self.log_path.read_text(errors="replace")


@dataclass
class LocalService:
    """The running tasks of one service, a round-robin client over them, and ``stop()``."""

    cluster: str
    service: str
    task_definition: str
    container_name: str
    log_group: str
    stream_prefix: str
    tasks: list[LocalTask]
    work_dir: Path
    requests_per_task: Counter[str] = field(default_factory=Counter)
    shipped_log_streams: list[str] = field(default_factory=list)
    log_shipping_error: str = ""

    def __post_init__(self) -> None:
        self._turn = 0
        self._lock = threading.Lock()
        self.stopped = False

    @property
    def pids(self) -> list[int]:
        return [task.pid for task in self.tasks]

    def invoke(self, body: bytes, content_type: str = "application/json", accept: str = "") -> Answer:
        """POST /invocations to the next task in turn (round robin)."""
        if self.stopped:
            raise Unavailable(f"the local run of service {self.service!r} was stopped; start it again")
        with self._lock:
            task = self.tasks[self._turn % len(self.tasks)]
            self._turn += 1
            self.requests_per_task[task.task_id] += 1
        headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
        request = urllib.request.Request(task.url + "/invocations", data=body, headers=headers, method="POST")
        return _send(task.task_id, request)

    def predict(self, rows: Sequence[Sequence[float]]) -> list[Any]:
        """Predictions for ``rows`` from the next task; InvalidArgument with the server's message on 4xx."""
        answer = self.invoke(json.dumps([list(row) for row in rows]).encode(), "application/json")
        if answer.status != 200:
            message = answer.json().get("error", answer.body.decode(errors="replace"))
            cls = InvalidArgument if 400 <= answer.status < 500 else Unavailable
            raise cls(f"task {answer.task_id} answered {answer.status}: {message}")
        return list(answer.json())

    def ping(self) -> dict[str, int]:
        """GET /ping on every task: task id -> HTTP status."""
        return {
            task.task_id: _send(task.task_id, urllib.request.Request(task.url + "/ping")).status
            for task in self.tasks
        }

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM every task (as ECS does), SIGKILL what is left after ``timeout``; then ship the logs."""
        if self.stopped:
            return
        self.stopped = True
        _terminate([task.process for task in self.tasks], timeout)
        for task in self.tasks:
            task.final_logs = task.log_path.read_text(errors="replace") if task.log_path.exists() else ""
        try:
            self.shipped_log_streams = ship_logs(self)
        except CloudError as exc:
            self.log_shipping_error = str(exc)
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> LocalService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _send(task_id: str, request: urllib.request.Request, timeout: float = 30.0) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(task_id, response.status, response.read(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as exc:
        return Answer(task_id, exc.code, exc.read(), exc.headers.get("Content-Type", ""))
    except OSError as exc:
        raise Unavailable(f"task {task_id} at {request.full_url} did not answer: {exc}") from exc


def _terminate(processes: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # each task has its own process group (start_new_session)
    except ProcessLookupError:
        pass


def ship_logs(service: LocalService) -> list[str]:
    """Each task's output to CloudWatch Logs as ``{prefix}/{container}/{task id}`` (awslogs naming)."""
    logs = aws_client("logs")
    shipped = []
    for task in service.tasks:
        lines = [line for line in task.final_logs.splitlines() if line.strip()]
        if not lines:
            continue
        stream = f"{service.stream_prefix}/{service.container_name}/{task.task_id}"
        now = int(time.time() * 1000)
        with aws_errors("logs.put_log_events"):
            logs.create_log_stream(logGroupName=service.log_group, logStreamName=stream)
            logs.put_log_events(
                logGroupName=service.log_group,
                logStreamName=stream,
                logEvents=[{"timestamp": now, "message": line} for line in lines[-10000:]],
            )
        shipped.append(stream)
    return shipped


def run_service_locally(
    cluster: str, service: str, *, desired_count: int | None = None, startup_timeout: float = 60.0
) -> LocalService:
    """Start the service's tasks as local processes and wait until each answers /ping with 200.

    ``desired_count`` defaults to the service's own. Use as a context manager (or call ``stop()``): nothing
    is left running afterwards. Raises Unavailable (with the task's output) if a task fails to start.
    """
    ecs = aws_client("ecs")
    with aws_errors("ecs.describe_services"):
        found = ecs.describe_services(cluster=cluster, services=[service])["services"]
    if not found:
        raise NotFound(
            f"service {service!r} is not in cluster {cluster!r}; deploy it first (EcsDeployer.deploy)",
            provider="aws",
            operation="ecs.describe_services",
        )
    count = found[0]["desiredCount"] if desired_count is None else desired_count
    if count < 1:
        raise InvalidArgument(f"need at least one task to run, got desired_count={count}")
    with aws_errors("ecs.describe_task_definition"):
        task_def = ecs.describe_task_definition(taskDefinition=found[0]["taskDefinition"])["taskDefinition"]
    container = task_def["containerDefinitions"][0]
    options = container.get("logConfiguration", {}).get("options", {})
    work_dir = Path(tempfile.mkdtemp(prefix=f"ecs-{service}-"))
    local = LocalService(
        cluster=cluster,
        service=service,
        task_definition=task_def["taskDefinitionArn"],
        container_name=container["name"],
        log_group=options.get("awslogs-group", f"/ecs/{task_def['family']}"),
        stream_prefix=options.get("awslogs-stream-prefix", "ecs"),
        tasks=[],
        work_dir=work_dir,
    )
    env = {**os.environ, **{e["name"]: e["value"] for e in container.get("environment", [])}}
    env["MODEL_SERVER_HOST"] = LOOPBACK  # never all interfaces on this machine, whatever the image says
    try:
        for _ in range(count):
            local.tasks.append(_start_task(work_dir, env))
        _wait_until_healthy(local.tasks, startup_timeout)
    except BaseException:
        local.stop()
        raise
    return local


def _start_task(work_dir: Path, env: dict[str, str]) -> LocalTask:
    task_id = uuid.uuid4().hex  # ECS task ids are 32 hex digits
    task_dir = work_dir / task_id
    (task_dir / "model").mkdir(parents=True)
    port = free_port()
    log_path = task_dir / "output.log"
    args = [sys.executable, "-m", SERVER_MODULE, "--model-dir", str(task_dir / "model")]
    args += ["--port", str(port), "--host", LOOPBACK]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own server module
            args,
            cwd=task_dir,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return LocalTask(task_id, port, process, log_path)


def _wait_until_healthy(tasks: Sequence[LocalTask], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(tasks)
    while waiting:
        for task in list(waiting):
            if task.process.poll() is not None:
                raise Unavailable(_startup_failure(task, f"exited with code {task.process.returncode}"))
            try:
                answer = _send(task.task_id, urllib.request.Request(task.url + "/ping"), timeout=2.0)
            except Unavailable:
                continue  # not listening yet
            if answer.status == 200:
                waiting.remove(task)
            elif answer.json().get("status") == "failed":
                raise Unavailable(
                    _startup_failure(task, answer.json().get("reason", "the model failed to load"))
                )
        if waiting and time.monotonic() > deadline:
            raise Unavailable(_startup_failure(waiting[0], f"was not healthy after {timeout:.0f} s"))
        time.sleep(0.1)


def _startup_failure(task: LocalTask, what: str) -> str:
    tail = "\n".join(task.logs().strip().splitlines()[-8:])
    return f"task {task.task_id} {what}. Its last output:\n{tail}"
