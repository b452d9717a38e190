"""AWS Batch for training: compute environment (SPOT or EC2), job queue, training job definition, jobs.

The job's container follows SageMaker's script-mode contract (``SM_CHANNEL_TRAIN`` in, ``SM_MODEL_DIR``
out), so the same training script runs in SageMaker, in Batch and locally. Staging the data in from
``TRAIN_DATA_S3_URI`` and the model out to ``MODEL_OUTPUT_S3_URI`` is the runner's job: the training image's
entrypoint on AWS (e.g. ``aws s3 cp`` around the script; this package ships no training image), and
:func:`~aws_ai_services.containers.batch_local_run.run_job_locally` here.

In local mode moto keeps the control plane. Its Batch tries to run each job in Docker; with no Docker
engine the job goes SUBMITTED -> FAILED within a second, without a status reason. (With the moto setting
``{"batch": {"use_docker": False}}`` jobs are marked SUCCEEDED without running anything.) Either way the
job's training command did not run, so :meth:`BatchTraining.submit_and_run` also runs it locally under the
same contract and reports that outcome next to moto's status.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound, Unavailable
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.uris import split_uri

from aws_ai_services.containers.batch_local_run import LocalJobRun, run_job_locally
from aws_ai_services.containers.image_build import CONTAINER_PORT
from aws_ai_services.containers.network import Network, default_network, delete_security_group
from aws_ai_services.containers.roles import (
    delete_instance_profile,
    delete_role,
    ensure_instance_profile,
    ensure_role,
)
from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

CAPACITY = ("SPOT", "EC2")
SERVICE_POLICIES = ("arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",)
INSTANCE_POLICIES = ("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",)
#: where the script-mode contract puts things inside the training container
CODE_DIR = "/opt/ml/code"
CONTAINER_ENV = {
    "SM_CHANNEL_TRAIN": "/opt/ml/input/data/train",
    "SM_MODEL_DIR": "/opt/ml/model",
    "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
}
#: retry a Spot reclaim (the host went away), not a bug in the script
SPOT_RETRY = [{"onStatusReason": "Host EC2*", "action": "RETRY"}, {"onReason": "*", "action": "EXIT"}]
TERMINAL = ("SUCCEEDED", "FAILED")


@dataclass(frozen=True)
class ComputeEnvironment:
    name: str
    arn: str
    status: str
    capacity: str
    instance_types: tuple[str, ...]
    min_vcpus: int
    max_vcpus: int
    allocation_strategy: str
    service_role: str
    instance_role: str
    network: Network
    missing_managed_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobQueue:
    name: str
    arn: str
    priority: int
    compute_environments: tuple[str, ...]


@dataclass(frozen=True)
class JobDefinition:
    name: str
    arn: str
    revision: int
    image: str
    command: tuple[str, ...]
    parameters: Mapping[str, str]
    vcpus: int
    memory_mib: int
    job_role: str


@dataclass(frozen=True)
class BatchJob:
    """A job as Batch reports it; ``command`` has the ``Ref::`` parameters substituted."""

    job_id: str
    name: str
    status: str
    status_reason: str
    job_definition: str
    command: tuple[str, ...]
    environment: Mapping[str, str]
    attempts: int
    exit_code: int | None = None

    @property
    def container_ran(self) -> bool:
        """True when a container really ran (Batch reports its exit code)."""
        return self.exit_code is not None


@dataclass(frozen=True)
class TrainingOutcome:
    """Batch's view of the job next to what happened when its command ran locally (if it had to)."""

    job: BatchJob
    local_run: LocalJobRun | None
    note: str = field(default="")


def parameter_name(hyperparameter: str) -> str:
    """``n-estimators`` -> ``n_estimators`` (the name used in ``Ref::n_estimators``)."""
    return hyperparameter.replace("-", "_")


def resolve_command(command: Sequence[str], parameters: Mapping[str, str]) -> tuple[str, ...]:
    """Batch's substitution: each ``Ref::name`` argument becomes the parameter's value (kept if unset)."""
    return tuple(parameters.get(arg[5:], arg) if arg.startswith("Ref::") else arg for arg in command)


class BatchTraining:
    """AWS Batch, IAM and EC2 calls for training jobs."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    batch = ServiceClient("batch")

    iam = ServiceClient("iam")

    ec2 = ServiceClient("ec2")

    # ------------------------------------------------------------------ infrastructure
    def create_compute_environment(
        self,
        name: str,
        *,
        capacity: str = "SPOT",
        instance_types: Sequence[str] = ("c5.large", "m5.large"),
        min_vcpus: int = 0,
        max_vcpus: int = 16,
        bid_percentage: int | None = None,
    ) -> ComputeEnvironment:
        """A managed EC2 compute environment; ``min_vcpus=0`` so it costs nothing while the queue is empty.

        SPOT uses SPOT_PRICE_CAPACITY_OPTIMIZED (cheap pools unlikely to be reclaimed; give several
        instance types); ``bid_percentage`` caps the price at that % of On-Demand. EC2 (On-Demand) uses
        BEST_FIT_PROGRESSIVE.
        """
        if capacity not in CAPACITY:
            raise InvalidArgument(f"capacity must be one of {CAPACITY}, got {capacity!r}")
        if not 0 <= min_vcpus <= max_vcpus or max_vcpus < 1:
            raise InvalidArgument(
                f"need 0 <= min_vcpus <= max_vcpus and max_vcpus >= 1, got {min_vcpus}..{max_vcpus}"
            )
        service = ensure_role(
            self.iam, f"{name}-service", "batch.amazonaws.com", managed_policy_arns=SERVICE_POLICIES
        )
        instance = ensure_role(
            self.iam, f"{name}-instance", "ec2.amazonaws.com", managed_policy_arns=INSTANCE_POLICIES
        )
        profile_arn = ensure_instance_profile(self.iam, f"{name}-instance", instance.name)
        network = default_network(self.ec2, f"{name}-batch", CONTAINER_PORT)
        strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED" if capacity == "SPOT" else "BEST_FIT_PROGRESSIVE"
        resources: dict[str, Any] = {
            "type": capacity,
            "allocationStrategy": strategy,
            "minvCpus": min_vcpus,
            "maxvCpus": max_vcpus,
            "desiredvCpus": min_vcpus,
            "instanceTypes": list(instance_types),
            "subnets": list(network.subnet_ids),
            "securityGroupIds": [network.security_group_id],
            "instanceRole": profile_arn,
            "tags": {"purpose": "training"},
        }
        if bid_percentage is not None:
            resources["bidPercentage"] = bid_percentage
        with aws_errors("batch.create_compute_environment"):
            self.batch.create_compute_environment(
                computeEnvironmentName=name,
                type="MANAGED",
                state="ENABLED",
                serviceRole=service.arn,
                computeResources=resources,
            )
            found = self.batch.describe_compute_environments(computeEnvironments=[name])[
                "computeEnvironments"
            ][0]
        return ComputeEnvironment(
            name=name,
            arn=found["computeEnvironmentArn"],
            status=found.get("status", ""),
            capacity=capacity,
            instance_types=tuple(instance_types),
            min_vcpus=min_vcpus,
            max_vcpus=max_vcpus,
            allocation_strategy=strategy,
            service_role=service.name,
            instance_role=instance.name,
            network=network,
            missing_managed_policies=service.missing_managed_policies + instance.missing_managed_policies,
        )

    def create_job_queue(
        self, name: str, compute_environments: Sequence[str], *, priority: int = 1
    ) -> JobQueue:
        """A queue feeding the environments in order (e.g. SPOT first, then On-Demand as a fallback)."""
        order = [{"order": i, "computeEnvironment": ce} for i, ce in enumerate(compute_environments, start=1)]
        with aws_errors("batch.create_job_queue"):
            queue = self.batch.create_job_queue(
                jobQueueName=name, state="ENABLED", priority=priority, computeEnvironmentOrder=order
            )
        return JobQueue(name, queue["jobQueueArn"], priority, tuple(compute_environments))

    def register_training_job(
        self,
        name: str,
        image: str,
        *,
        script: str,
        train_data_uri: str,
        model_output_uri: str,
        hyperparameters: Mapping[str, Any] | None = None,
        vcpus: int = 2,
        memory_mib: int = 4096,
        retry_attempts: int = 3,
        timeout_seconds: int = 3600,
    ) -> JobDefinition:
        """A container job definition running ``python /opt/ml/code/<script> --name Ref::name ...``.

        Hyperparameters become job-definition parameters (their defaults), so each job can override them.
        """
        hyperparameters = dict(hyperparameters or {})
        train_bucket, train_key = split_uri(train_data_uri, scheme="s3")
        model_bucket, model_key = split_uri(model_output_uri, scheme="s3")
        command = ["python", f"{CODE_DIR}/{Path(script).name}"]
        for hp in hyperparameters:
            command += [f"--{hp}", f"Ref::{parameter_name(hp)}"]
        parameters = {parameter_name(k): str(v) for k, v in hyperparameters.items()}
        job_role = ensure_role(
            self.iam,
            f"{name}-job",
            "ecs-tasks.amazonaws.com",
            inline_policies={
                "data-in-model-out": _job_policy(train_bucket, train_key, model_bucket, model_key)
            },
        )
        env = {**CONTAINER_ENV, "TRAIN_DATA_S3_URI": train_data_uri, "MODEL_OUTPUT_S3_URI": model_output_uri}
        with aws_errors("batch.register_job_definition"):
            registered = self.batch.register_job_definition(
                jobDefinitionName=name,
                type="container",
                platformCapabilities=["EC2"],
                parameters=parameters,
                retryStrategy={"attempts": retry_attempts, "evaluateOnExit": SPOT_RETRY},
                timeout={"attemptDurationSeconds": timeout_seconds},
                containerProperties={
                    "image": image,
                    "command": command,
                    "jobRoleArn": job_role.arn,
                    "resourceRequirements": [
                        {"type": "VCPU", "value": str(vcpus)},
                        {"type": "MEMORY", "value": str(memory_mib)},
                    ],
                    "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
                },
            )
        return JobDefinition(
            name=name,
            arn=registered["jobDefinitionArn"],
            revision=int(registered["revision"]),
            image=image,
            command=tuple(command),
            parameters=parameters,
            vcpus=vcpus,
            memory_mib=memory_mib,
            job_role=job_role.name,
        )

    # ------------------------------------------------------------------ jobs
    def submit(
        self,
        job_name: str,
        queue: str,
        definition: JobDefinition,
        *,
        hyperparameters: Mapping[str, Any] | None = None,
    ) -> BatchJob:
        """Submit a job; ``hyperparameters`` override the definition's defaults (unknown ones are refused)."""
        overrides = {parameter_name(k): str(v) for k, v in (hyperparameters or {}).items()}
        unknown = sorted(set(overrides) - set(definition.parameters))
        if unknown:
            raise InvalidArgument(
                f"job definition {definition.name} has no parameter(s) {unknown} (it has "
                f"{sorted(definition.parameters)}); Batch would silently ignore them. Register a new "
                "revision with them."
            )
        with aws_errors("batch.submit_job"):
            job_id = self.batch.submit_job(
                jobName=job_name, jobQueue=queue, jobDefinition=definition.arn, parameters=overrides
            )["jobId"]
        return self.describe(job_id)

    def describe(self, job_id: str) -> BatchJob:
        with aws_errors("batch.describe_jobs"):
            jobs = self.batch.describe_jobs(jobs=[job_id])["jobs"]
            if not jobs:
                raise NotFound(f"no Batch job {job_id}", provider="aws", operation="batch.describe_jobs")
            job = jobs[0]
            defaults = self.batch.describe_job_definitions(jobDefinitions=[job["jobDefinition"]])[
                "jobDefinitions"
            ]
        parameters = {**(defaults[0].get("parameters", {}) if defaults else {}), **job.get("parameters", {})}
        container = job.get("container", {})
        return BatchJob(
            job_id=job["jobId"],
            name=job["jobName"],
            status=job["status"],
            status_reason=job.get("statusReason", ""),
            job_definition=job["jobDefinition"],
            command=resolve_command(container.get("command", []), parameters),
            environment={e["name"]: e["value"] for e in container.get("environment", [])},
            attempts=len(job.get("attempts", [])),
            exit_code=container_exit_code(job),
        )

    def wait(self, job_id: str, *, timeout: float = 900.0, poll: float = 0.5) -> BatchJob:
        """Poll until the job is SUCCEEDED or FAILED; Unavailable after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.describe(job_id)
            if job.status in TERMINAL:
                return job
            if time.monotonic() > deadline:
                raise Unavailable(f"Batch job {job_id} is still {job.status} after {timeout:.0f} s")
            time.sleep(poll)

    def submit_and_run(
        self,
        job_name: str,
        queue: str,
        definition: JobDefinition,
        source_dir: str | Path,
        *,
        hyperparameters: Mapping[str, Any] | None = None,
        timeout: float = 900.0,
    ) -> TrainingOutcome:
        """Submit and wait for Batch's verdict; if no container ran, run the job's command locally.

        Whether a container ran is read from the job (Batch reports its exit code), not from the mode:
        on AWS the job really runs and nothing runs here.
        """
        submitted = self.submit(job_name, queue, definition, hyperparameters=hyperparameters)
        job = self.wait(submitted.job_id, timeout=timeout)
        reported = f"Batch reports {job.status} ({job.status_reason or 'no status reason'})"
        if job.container_ran:
            return TrainingOutcome(job, None, f"{reported}; its container exited with code {job.exit_code}.")
        local = run_job_locally(job, source_dir, timeout=timeout)
        outcome = "succeeded" if local.succeeded else f"failed: {local.failure_reason}"
        note = f"{reported}, but no container ran. Its command ran locally instead and {outcome}."
        return TrainingOutcome(job, local, note)

    # ------------------------------------------------------------------ cleanup
    def teardown(
        self,
        queue: JobQueue | None,
        environments: Sequence[ComputeEnvironment],
        definitions: Sequence[JobDefinition],
    ) -> list[str]:
        """Disable and delete the queue, then the environments, definitions, roles and security groups."""
        deleted: list[str] = []
        if queue is not None and self._disable_and_delete("job_queue", queue.name):
            deleted.append(f"job queue {queue.name}")
        for env in environments:
            if self._disable_and_delete("compute_environment", env.name):
                deleted.append(f"compute environment {env.name}")
            delete_instance_profile(self.iam, f"{env.name}-instance")
            deleted += [
                f"iam role {r}" for r in (env.service_role, env.instance_role) if delete_role(self.iam, r)
            ]
            if delete_security_group(self.ec2, env.network.security_group_id):
                deleted.append(f"security group {env.network.security_group_id}")
        for definition in definitions:
            with aws_errors("batch.deregister_job_definition"):
                self.batch.deregister_job_definition(jobDefinition=definition.arn)
            deleted.append(f"job definition {definition.name}:{definition.revision}")
            if delete_role(self.iam, definition.job_role):
                deleted.append(f"iam role {definition.job_role}")
        return deleted

    def _disable_and_delete(self, kind: str, name: str, timeout: float = 600.0) -> bool:
        """Batch deletes only DISABLED queues/environments, and asynchronously: wait until it is gone."""
        update, delete = getattr(self.batch, f"update_{kind}"), getattr(self.batch, f"delete_{kind}")
        describe = getattr(self.batch, f"describe_{kind}s")
        key = "jobQueue" if kind == "job_queue" else "computeEnvironment"
        listed = "jobQueues" if kind == "job_queue" else "computeEnvironments"
        deadline = time.monotonic() + timeout

        def current() -> list[dict[str, Any]]:
            with aws_errors(f"batch.describe_{kind}s"):
                return list(describe(**{listed: [name]})[listed])

        try:
            with aws_errors(f"batch.update_{kind}"):
                update(**{key: name, "state": "DISABLED"})
            while any(item.get("status") in ("CREATING", "UPDATING") for item in current()):
                if time.monotonic() > deadline:
                    raise Unavailable(
                        f"{kind} {name} is still updating after {timeout:.0f} s; delete it later"
                    )
                time.sleep(1.0)
            with aws_errors(f"batch.delete_{kind}"):
                delete(**{key: name})
        except NotFound:
            return False
        while any(item.get("status") != "DELETED" for item in current()) and time.monotonic() < deadline:
            time.sleep(1.0)
        return True


def container_exit_code(job: Mapping[str, Any]) -> int | None:
    """The container's exit code, from the job or its last attempt; None when no container ran."""
    attempts = job.get("attempts") or [{}]
    for source in (job.get("container") or {}, attempts[-1].get("container") or {}):
        if source.get("exitCode") is not None:
            return int(source["exitCode"])
    return None


def _job_policy(train_bucket: str, train_key: str, model_bucket: str, model_key: str) -> dict[str, Any]:
    """The job role: read the training data, write models under the output prefix; nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{train_bucket}"},
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{train_bucket}/{train_key}*",
            },
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{model_bucket}/{model_key}*",
            },
        ],
    }
