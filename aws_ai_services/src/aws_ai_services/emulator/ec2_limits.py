"""moto patch: counts that make moto loop for minutes get the service's own limit error instead.

moto builds one object per requested instance, task or array child, so ``RunInstances`` with
``MinCount=99999999`` spins a core for minutes. The local cloud's limits, answered with AWS's error:

* EC2 ``RunInstances`` (and Auto Scaling, which launches through it): at most
  :data:`MAX_RUNNING_INSTANCES` instances running per account and region, counting the request's
  ``MinCount``: ``InstanceLimitExceeded`` (400), AWS's message. (moto launches ``MinCount``; ``MaxCount``
  is never looped over.)
* EC2 ``RequestSpotInstances`` ``InstanceCount`` and ``AllocateHosts`` ``Quantity`` above the same limit:
  ``MaxSpotInstanceCountExceeded`` and ``HostLimitExceeded`` (400).
* ECS ``RunTask``: ``count`` between 1 and 10, as AWS documents: ``InvalidParameterException``.
* AWS Batch ``SubmitJob``: ``arrayProperties.size`` between 2 and 10,000, as AWS documents:
  ``ClientException``.

Wired by the ``cloudai.moto_patches`` entry point (idempotent).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from aws_ai_services.emulator.moto_patching import patch_method, when_imported

#: the local cloud's instance limit per account and region (a new AWS account's On-Demand quota is similar)
MAX_RUNNING_INSTANCES = 20
MAX_ECS_TASKS_PER_RUN = 10
MIN_BATCH_ARRAY_SIZE, MAX_BATCH_ARRAY_SIZE = 2, 10_000


def install() -> None:
    when_imported("moto.ec2.models.instances", _patch_ec2)
    when_imported("moto.ec2.models.spot_requests", _patch_spot)
    when_imported("moto.ec2.models.hosts", _patch_hosts)
    when_imported("moto.ecs.models", _patch_ecs)
    when_imported("moto.batch.models", _patch_batch)


def _patch_ec2(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def run_instances(self: Any, image_id: str, count: int, *args: Any, **kwargs: Any) -> Any:
            running = sum(
                1
                for instance in self.all_instances()
                if instance.state not in ("terminated", "shutting-down")
            )
            if int(count) > MAX_RUNNING_INSTANCES - running:
                raise _ec2_error(
                    "InstanceLimitExceeded",
                    f"You have requested more instances ({int(count) + running}) than your current instance "
                    f"limit of {MAX_RUNNING_INSTANCES} allows for the specified instance type. Please visit "
                    "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. "
                    f"(The local cloud allows {MAX_RUNNING_INSTANCES} running instances per account and "
                    "region; terminate some first.)",
                )
            return original(self, image_id, count, *args, **kwargs)

        return run_instances

    patch_method(module.InstanceBackend, "run_instances", make)


def _ec2_error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


def _patch_spot(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def request_spot_instances(
            self: Any, price: str, image_id: str, count: int, *a: Any, **k: Any
        ) -> Any:
            if int(count) > MAX_RUNNING_INSTANCES:
                raise _ec2_error(
                    "MaxSpotInstanceCountExceeded",
                    f"Max spot instance count exceeded: requested {count}, the local cloud allows "
                    f"{MAX_RUNNING_INSTANCES} instances per account and region",
                )
            return original(self, price, image_id, count, *a, **k)

        return request_spot_instances

    patch_method(module.SpotRequestBackend, "request_spot_instances", make)


def _patch_hosts(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def allocate_hosts(self: Any, quantity: int, *a: Any, **k: Any) -> Any:
            if int(quantity) > MAX_RUNNING_INSTANCES:
                raise _ec2_error(
                    "HostLimitExceeded",
                    f"You have requested more hosts ({quantity}) than your current host limit of "
                    f"{MAX_RUNNING_INSTANCES} allows.",
                )
            return original(self, quantity, *a, **k)

        return allocate_hosts

    patch_method(module.HostsBackend, "allocate_hosts", make)


def _patch_ecs(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def run_task(
            self: Any, cluster_str: str, task_definition_str: str, count: int, *a: Any, **k: Any
        ) -> Any:
            if not 1 <= int(count) <= MAX_ECS_TASKS_PER_RUN:
                from moto.ecs.exceptions import InvalidParameterException

                raise InvalidParameterException(
                    f"count must be between 1 and {MAX_ECS_TASKS_PER_RUN}, got {count}; "
                    "call RunTask again for more tasks"
                )
            return original(self, cluster_str, task_definition_str, count, *a, **k)

        return run_task

    patch_method(module.EC2ContainerServiceBackend, "run_task", make)


def _patch_batch(module: ModuleType) -> None:
    def make(original: Any) -> Any:
        def submit_job(
            self: Any,
            job_name: str,
            job_def_id: str,
            job_queue: str,
            array_properties: Any,
            *a: Any,
            **k: Any,
        ) -> Any:
            size = (array_properties or {}).get("size")
            if size is not None and not MIN_BATCH_ARRAY_SIZE <= int(size) <= MAX_BATCH_ARRAY_SIZE:
                from moto.batch.exceptions import ClientException

                raise ClientException(
                    f"arrayProperties.size must be between {MIN_BATCH_ARRAY_SIZE} and "
                    f"{MAX_BATCH_ARRAY_SIZE}, got {size}"
                )
            return original(self, job_name, job_def_id, job_queue, array_properties, *a, **k)

        return submit_job

    patch_method(module.BatchBackend, "submit_job", make)
