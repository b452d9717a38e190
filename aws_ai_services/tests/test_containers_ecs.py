"""ECR, ECS Fargate and Application Auto Scaling state in the local cloud, read back with plain boto3."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_ai_services.containers.ecs_deployment import EcsDeployer, EcsDeployment
from aws_ai_services.containers.sizing import (
    TASK_SIZES,
    TaskSize,
    fargate_size,
    memory_needed,
    size_for_model,
)
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-server:0123456789ab"
MODEL_URI = "s3://models/iris/model.tar.gz"


@pytest.fixture
def deployer(clean_cloud: Any) -> EcsDeployer:
    return EcsDeployer()


@pytest.fixture
def deployment(deployer: EcsDeployer) -> EcsDeployment:
    return deployer.deploy("iris", IMAGE, MODEL_URI, desired_count=3, model_bytes=600 * 2**20, max_tasks=6)


# ----------------------------------------------------------------------------- sizing
def test_the_size_table_grows_with_the_model() -> None:
    assert size_for_model(20_000) == ("small", TaskSize(256, 512))
    assert memory_needed(300 * 2**20) == 1445  # (256 MiB runtime + 3 x 300 MiB) x 1.25
    assert size_for_model(300 * 2**20) == ("large", TaskSize(1024, 2048))
    assert size_for_model(600 * 2**20) == ("xlarge", TaskSize(2048, 4096))
    assert all(fargate_size(s.cpu, s.memory) == s for s in TASK_SIZES.values())
    with pytest.raises(InvalidArgument, match="more than the largest tier"):
        size_for_model(5 * 2**30)


def test_fargate_rejects_pairs_it_does_not_offer() -> None:
    with pytest.raises(InvalidArgument, match="choose memory"):
        fargate_size(256, 4096)
    with pytest.raises(InvalidArgument, match="no cpu=300"):
        fargate_size(300, 1024)
    assert TaskSize(256, 512).kubernetes_cpu == "250m" and TaskSize(2048, 4096).kubernetes_cpu == "2"


# ----------------------------------------------------------------------------- ECR
def test_repository_is_immutable_scanned_and_has_a_lifecycle_policy(
    deployer: EcsDeployer, boto_client: Callable[..., Any]
) -> None:
    repo = deployer.create_repository("iris-server", keep_last=5, untagged_days=2)
    ecr = boto_client("ecr")
    found = ecr.describe_repositories(repositoryNames=["iris-server"])["repositories"][0]
    assert found["repositoryUri"] == repo.uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-server"
    assert found["imageTagMutability"] == "IMMUTABLE"
    assert found["imageScanningConfiguration"] == {"scanOnPush": True}
    rules = json.loads(ecr.get_lifecycle_policy(repositoryName="iris-server")["lifecyclePolicyText"])["rules"]
    assert [(r["selection"]["tagStatus"], r["selection"]["countNumber"]) for r in rules] == [
        ("untagged", 2),
        ("any", 5),
    ]
    assert deployer.delete_repository("iris-server") is True
    assert deployer.delete_repository("iris-server") is False


def test_creating_a_repository_twice_is_repository_already_exists(deployer: EcsDeployer) -> None:
    deployer.create_repository("iris-server")
    with pytest.raises(AlreadyExists) as caught:
        deployer.create_repository("iris-server")
    assert caught.value.code == "RepositoryAlreadyExistsException"
    assert caught.value.operation == "ecr.create_repository"


def test_a_bad_lifecycle_policy_is_refused_before_calling_ecr(deployer: EcsDeployer) -> None:
    with pytest.raises(InvalidArgument, match="keep_last"):
        deployer.create_repository("iris-server", keep_last=0)


# ----------------------------------------------------------------------------- ECS
def test_task_definition_is_fargate_sized_with_health_check_logs_and_env(
    deployment: EcsDeployment, boto_client: Callable[..., Any]
) -> None:
    task = boto_client("ecs").describe_task_definition(taskDefinition="iris")["taskDefinition"]
    assert (task["cpu"], task["memory"]) == ("2048", "4096")  # sized for a 600 MiB model
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    container = task["containerDefinitions"][0]
    assert container["image"] == IMAGE
    assert container["portMappings"][0]["containerPort"] == 8080
    assert {e["name"]: e["value"] for e in container["environment"]}["MODEL_S3_URI"] == MODEL_URI
    assert container["healthCheck"]["command"][:3] == ["CMD", "python", "-c"]
    assert "/ping" in container["healthCheck"]["command"][3]
    options = container["logConfiguration"]["options"]
    assert container["logConfiguration"]["logDriver"] == "awslogs" and options["awslogs-group"] == "/ecs/iris"
    group = boto_client("logs").describe_log_groups(logGroupNamePrefix="/ecs/iris")["logGroups"][0]
    assert group["retentionInDays"] == 14
    iam = boto_client("iam")
    assert task["taskRoleArn"].endswith("role/iris-task") and task["executionRoleArn"].endswith(
        "role/iris-execution"
    )
    policy = iam.get_role_policy(RoleName="iris-task", PolicyName="read-model")["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == "arn:aws:s3:::models/iris/model.tar.gz"


def test_service_runs_in_the_default_vpc_with_a_vpc_only_security_group(
    deployment: EcsDeployment, boto_client: Callable[..., Any]
) -> None:
    service = boto_client("ecs").describe_services(cluster="iris", services=["iris"])["services"][0]
    assert service["desiredCount"] == 3 and service["launchType"] == "FARGATE"
    assert service["runningCount"] == 0  # moto stores the service; it starts no containers
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert (
        set(network["subnets"]) == set(deployment.network.subnet_ids)
        and network["assignPublicIp"] == "DISABLED"
    )
    group = boto_client("ec2").describe_security_groups(GroupIds=network["securityGroups"])["SecurityGroups"][
        0
    ]
    ranges = [r["CidrIp"] for p in group["IpPermissions"] for r in p["IpRanges"]]
    assert ranges == [deployment.network.cidr] and "0.0.0.0/0" not in ranges
    cluster = boto_client("ecs").describe_clusters(clusters=["iris"])["clusters"][0]
    assert cluster["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]


def test_autoscaling_tracks_average_cpu(deployment: EcsDeployment, boto_client: Callable[..., Any]) -> None:
    scaling = boto_client("application-autoscaling")
    target = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["ResourceId"], target["MinCapacity"], target["MaxCapacity"]) == ("service/iris/iris", 1, 6)
    policy = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 60.0
    assert (
        config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    )
    alarms = boto_client("cloudwatch").describe_alarms(AlarmNames=list(deployment.autoscaling.alarms))[
        "MetricAlarms"
    ]
    assert {(a["Namespace"], a["MetricName"]) for a in alarms} == {("AWS/ECS", "CPUUtilization")}
    assert len(alarms) == 2  # scale out (high) and scale in (low)


def test_autoscaling_arguments_are_checked(deployer: EcsDeployer) -> None:
    with pytest.raises(InvalidArgument, match="min_tasks <= max_tasks"):
        deployer.enable_autoscaling("iris", "iris", min_tasks=5, max_tasks=2)
    with pytest.raises(InvalidArgument, match="target_cpu_percent"):
        deployer.enable_autoscaling("iris", "iris", target_cpu_percent=150)


def test_missing_cluster_and_service_are_not_found_with_aws_codes(deployer: EcsDeployer) -> None:
    with pytest.raises(NotFound) as caught:
        deployer.enable_autoscaling("nope", "iris")
    assert caught.value.code == "ClusterNotFoundException"
    deployer.create_cluster("iris")
    with pytest.raises(NotFound, match="doesn't exist"):
        deployer.enable_autoscaling("iris", "nope")
    with pytest.raises(NotFound, match="not in cluster"):
        deployer.describe_service("iris", "nope")
    with pytest.raises(NotFound) as missing:
        deployer.scale_service("iris", "nope", 2)
    assert missing.value.code == "ServiceNotFoundException"


def test_scaling_by_hand_changes_the_desired_count(deployer: EcsDeployer, deployment: EcsDeployment) -> None:
    assert deployer.scale_service("iris", "iris", 5).desired_count == 5
    assert deployer.describe_service("iris", "iris").desired_count == 5


def test_an_invalid_fargate_size_is_refused_although_moto_would_accept_it(deployer: EcsDeployer) -> None:
    with pytest.raises(InvalidArgument, match="does not offer cpu=256 with memory=8192"):
        deployer.register_task_definition("iris", IMAGE, model_s3_uri=MODEL_URI, size=TaskSize(256, 8192))


def test_teardown_deletes_everything_deploy_created(
    deployer: EcsDeployer, deployment: EcsDeployment, boto_client: Callable[..., Any]
) -> None:
    deleted = deployer.teardown(deployment)
    assert "ecs cluster iris" in deleted and "iam role iris-task" in deleted
    ecs = boto_client("ecs")
    assert ecs.describe_clusters(clusters=["iris"])["clusters"][0]["status"] == "INACTIVE"
    assert ecs.describe_task_definition(taskDefinition=deployment.task_definition.arn)["taskDefinition"][
        "status"
    ] == ("INACTIVE")
    assert (
        boto_client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")[
            "ScalableTargets"
        ]
        == []
    )
    assert boto_client("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert boto_client("logs").describe_log_groups(logGroupNamePrefix="/ecs/iris")["logGroups"] == []
    roles = {r["RoleName"] for r in boto_client("iam").list_roles()["Roles"]}
    assert not roles & {"iris-task", "iris-execution"}
    groups = boto_client("ec2").describe_security_groups()["SecurityGroups"]
    assert deployment.network.security_group_id not in {g["GroupId"] for g in groups}
