"""Counts that would make moto loop for minutes get the service's limit error, over the wire, quickly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_ai_services.emulator.ec2_limits import MAX_RUNNING_INSTANCES, install
from botocore.config import Config
from botocore.exceptions import ClientError

#: generous for a 400; a regression (moto looping) must fail the test, not hang CI
GUARD_SECONDS = 20.0


@pytest.fixture(scope="module", autouse=True)
def limits() -> None:
    install()  # the cloudai.moto_patches entry point does this when the local cloud starts; idempotent


@pytest.fixture
def client(clean_cloud: Any, boto_client: Callable[..., Any]) -> Callable[[str], Any]:
    # the read timeout is the guard: a looping server answers nothing and the call fails fast
    config = Config(retries={"total_max_attempts": 1}, read_timeout=GUARD_SECONDS, connect_timeout=5)
    return lambda service: boto_client(service, config=config)


def image(ec2: Any) -> str:
    return str(ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"])


def test_huge_min_count_is_instance_limit_exceeded(client: Callable[[str], Any]) -> None:
    ec2 = client("ec2")
    ami = image(ec2)
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(ImageId=ami, MinCount=99_999_999, MaxCount=99_999_999)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InstanceLimitExceeded"
    assert error["Error"]["Message"].startswith(
        f"You have requested more instances (99999999) than your current instance limit of "
        f"{MAX_RUNNING_INSTANCES} allows"
    )
    assert ec2.describe_instances()["Reservations"] == []  # nothing was launched


def test_the_limit_counts_running_instances_and_frees_on_terminate(client: Callable[[str], Any]) -> None:
    ec2 = client("ec2")
    ami = image(ec2)
    launched = ec2.run_instances(
        ImageId=ami, MinCount=MAX_RUNNING_INSTANCES - 1, MaxCount=MAX_RUNNING_INSTANCES
    )
    with pytest.raises(ClientError) as caught:
        ec2.run_instances(ImageId=ami, MinCount=2, MaxCount=2)
    assert caught.value.response["Error"]["Code"] == "InstanceLimitExceeded"
    assert f"({MAX_RUNNING_INSTANCES + 1})" in caught.value.response["Error"]["Message"]
    ec2.terminate_instances(InstanceIds=[i["InstanceId"] for i in launched["Instances"][:5]])
    assert len(ec2.run_instances(ImageId=ami, MinCount=2, MaxCount=2)["Instances"]) == 2


def test_spot_requests_and_dedicated_hosts_are_capped(client: Callable[[str], Any]) -> None:
    ec2 = client("ec2")
    ami = image(ec2)
    with pytest.raises(ClientError) as spot:
        ec2.request_spot_instances(
            InstanceCount=99_999_999, LaunchSpecification={"ImageId": ami, "InstanceType": "t3.micro"}
        )
    with pytest.raises(ClientError) as hosts:
        ec2.allocate_hosts(AvailabilityZone="us-east-1a", InstanceType="m5.large", Quantity=99_999_999)
    assert spot.value.response["Error"]["Code"] == "MaxSpotInstanceCountExceeded"
    assert hosts.value.response["Error"]["Code"] == "HostLimitExceeded"
    assert hosts.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_ecs_run_task_count_is_capped(client: Callable[[str], Any]) -> None:
    ecs = client("ecs")
    ecs.create_cluster(clusterName="limits")
    ecs.register_task_definition(
        family="t", containerDefinitions=[{"name": "c", "image": "busybox", "memory": 128}]
    )
    with pytest.raises(ClientError) as caught:
        ecs.run_task(cluster="limits", taskDefinition="t", count=99_999_999)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_batch_array_size_is_capped(client: Callable[[str], Any]) -> None:
    batch = client("batch")
    iam = client("iam")
    role = iam.create_role(RoleName="batch-limits", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    env = batch.create_compute_environment(
        computeEnvironmentName="limits", type="UNMANAGED", serviceRole=role
    )["computeEnvironmentArn"]
    queue = batch.create_job_queue(
        jobQueueName="limits",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env}],
    )["jobQueueArn"]
    definition = batch.register_job_definition(
        jobDefinitionName="limits",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": ["true"]},
    )["jobDefinitionArn"]
    with pytest.raises(ClientError) as caught:
        batch.submit_job(
            jobName="huge", jobQueue=queue, jobDefinition=definition, arrayProperties={"size": 99_999_999}
        )
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
