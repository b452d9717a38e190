"""A model server on ECS Fargate: ECR repository, cluster, task definition, service and CPU autoscaling.

Everything here is control-plane state, created with boto3. In local mode it lives in moto: the resources
exist and read back like AWS's, but moto starts no containers (a service's tasks stay PENDING, and
``runningCount`` stays 0) and no image is pushed (there is no Docker engine). What really runs is
:func:`run_service_locally`: the service's tasks as model-server processes on loopback, configured from the
task definition stored here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.core.uris import split_uri

from aws_ai_services.containers.ecr_repository import Repository, create_repository, delete_repository
from aws_ai_services.containers.ecs_autoscaling import Autoscaling, delete_autoscaling, enable_autoscaling
from aws_ai_services.containers.image_build import CONTAINER_PORT, ping_script
from aws_ai_services.containers.local_service import LocalService, run_service_locally
from aws_ai_services.containers.network import Network, default_network, delete_security_group
from aws_ai_services.containers.roles import delete_role, ensure_role
from aws_ai_services.containers.sizing import TaskSize, fargate_size, size_for_model
from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

__all__ = ["Autoscaling", "EcsDeployer", "EcsDeployment", "LocalService", "Repository", "run_service_locally"]

CONTAINER_NAME = "model-server"
#: what ECS itself needs to start the task: pull from ECR, write to CloudWatch Logs
EXECUTION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}


@dataclass(frozen=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int
    size: TaskSize
    image: str
    port: int
    environment: Mapping[str, str]
    log_group: str
    execution_role: str
    task_role: str


@dataclass(frozen=True)
class ServiceInfo:
    """What ECS reports. In the local cloud ``running_count`` stays 0: moto starts no containers."""

    cluster: str
    name: str
    arn: str
    status: str
    desired_count: int
    running_count: int
    pending_count: int
    task_definition: str


@dataclass(frozen=True)
class EcsDeployment:
    """Everything :meth:`EcsDeployer.deploy` created, so :meth:`EcsDeployer.teardown` can delete it."""

    cluster: str
    cluster_arn: str
    task_definition: TaskDefinition
    service: ServiceInfo
    autoscaling: Autoscaling | None
    network: Network
    roles: tuple[str, ...] = field(default=())


def model_read_policy(model_s3_uri: str) -> dict[str, Any]:
    """What the server itself may do (the task role): read its one model object, nothing else."""
    bucket, key = split_uri(model_s3_uri, scheme="s3")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/{key}"}
        ],
    }


class EcsDeployer:
    """ECR, ECS, Application Auto Scaling, CloudWatch Logs, IAM and EC2 calls for one model service."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    ecr = ServiceClient("ecr")

    ecs = ServiceClient("ecs")

    autoscaling = ServiceClient("application-autoscaling")

    logs = ServiceClient("logs")

    iam = ServiceClient("iam")

    ec2 = ServiceClient("ec2")

    # ------------------------------------------------------------------ ECR
    def create_repository(
        self, name: str, *, keep_last: int = 10, untagged_days: int = 1, scan_on_push: bool = True
    ) -> Repository:
        """See :func:`~aws_ai_services.containers.ecr_repository.create_repository`."""
        return create_repository(
            self.ecr, name, keep_last=keep_last, untagged_days=untagged_days, scan_on_push=scan_on_push
        )

    def delete_repository(self, name: str, *, force: bool = True) -> bool:
        return delete_repository(self.ecr, name, force=force)

    # ------------------------------------------------------------------ cluster and task definition
    def create_cluster(self, name: str, *, container_insights: bool = True) -> str:
        """A cluster with the FARGATE and FARGATE_SPOT capacity providers; returns its ARN."""
        with aws_errors("ecs.create_cluster"):
            cluster = self.ecs.create_cluster(
                clusterName=name,
                capacityProviders=["FARGATE", "FARGATE_SPOT"],
                settings=[
                    {"name": "containerInsights", "value": "enabled" if container_insights else "disabled"}
                ],
            )["cluster"]
        return str(cluster["clusterArn"])

    def register_task_definition(
        self,
        family: str,
        image: str,
        *,
        model_s3_uri: str,
        size: TaskSize,
        port: int = CONTAINER_PORT,
        log_retention_days: int = 14,
        environment: Mapping[str, str] | None = None,
    ) -> TaskDefinition:
        """A Fargate task definition for the model server, with its roles and CloudWatch log group."""
        fargate_size(size.cpu, size.memory)  # moto accepts any pair; Fargate does not
        region = self.settings.aws.region
        execution = ensure_role(
            self.iam,
            f"{family}-execution",
            "ecs-tasks.amazonaws.com",
            inline_policies={"pull-and-log": EXECUTION_POLICY},
        )
        task = ensure_role(
            self.iam,
            f"{family}-task",
            "ecs-tasks.amazonaws.com",
            inline_policies={"read-model": model_read_policy(model_s3_uri)},
        )
        log_group = f"/ecs/{family}"
        self._ensure_log_group(log_group, log_retention_days)
        env = {"MODEL_S3_URI": model_s3_uri, "SAGEMAKER_BIND_TO_PORT": str(port), **(environment or {})}
        container = {
            "name": CONTAINER_NAME,
            "image": image,
            "essential": True,
            "portMappings": [
                {"containerPort": port, "protocol": "tcp", "name": "http", "appProtocol": "http"}
            ],
            "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
            "healthCheck": {
                "command": ["CMD", "python", "-c", ping_script(port)],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 30,
            },
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "ecs",
                },
            },
            "stopTimeout": 30,
        }
        with aws_errors("ecs.register_task_definition"):
            registered = self.ecs.register_task_definition(
                family=family,
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu=str(size.cpu),
                memory=str(size.memory),
                executionRoleArn=execution.arn,
                taskRoleArn=task.arn,
                runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
                containerDefinitions=[container],
            )["taskDefinition"]
        return TaskDefinition(
            arn=registered["taskDefinitionArn"],
            family=family,
            revision=int(registered["revision"]),
            size=size,
            image=image,
            port=port,
            environment=env,
            log_group=log_group,
            execution_role=execution.name,
            task_role=task.name,
        )

    def _ensure_log_group(self, name: str, retention_days: int) -> None:
        try:
            with aws_errors("logs.create_log_group"):
                self.logs.create_log_group(logGroupName=name)
        except AlreadyExists:
            pass
        with aws_errors("logs.put_retention_policy"):
            self.logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)

    # ------------------------------------------------------------------ service and autoscaling
    def create_service(
        self, cluster: str, name: str, task_definition_arn: str, *, desired_count: int, network: Network
    ) -> ServiceInfo:
        """A Fargate service keeping ``desired_count`` tasks, rolled back if a deployment keeps failing."""
        if desired_count < 0:
            raise InvalidArgument(f"desired_count must be >= 0, got {desired_count}")
        with aws_errors("ecs.create_service"):
            self.ecs.create_service(
                cluster=cluster,
                serviceName=name,
                taskDefinition=task_definition_arn,
                desiredCount=desired_count,
                launchType="FARGATE",
                networkConfiguration={
                    "awsvpcConfiguration": {
                        "subnets": list(network.subnet_ids),
                        "securityGroups": [network.security_group_id],
                        "assignPublicIp": "DISABLED",
                    }
                },
                deploymentConfiguration={
                    "minimumHealthyPercent": 100,
                    "maximumPercent": 200,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                healthCheckGracePeriodSeconds=0,
                propagateTags="SERVICE",
            )
        return self.describe_service(cluster, name)

    def describe_service(self, cluster: str, name: str) -> ServiceInfo:
        with aws_errors("ecs.describe_services"):
            answer = self.ecs.describe_services(cluster=cluster, services=[name])
        if not answer["services"]:
            reasons = ", ".join(f["reason"] for f in answer.get("failures", [])) or "MISSING"
            raise NotFound(
                f"service {name!r} is not in cluster {cluster!r} ({reasons}); create it with create_service",
                provider="aws",
                operation="ecs.describe_services",
            )
        s = answer["services"][0]
        return ServiceInfo(
            cluster=cluster,
            name=s["serviceName"],
            arn=s["serviceArn"],
            status=s["status"],
            desired_count=int(s["desiredCount"]),
            running_count=int(s["runningCount"]),
            pending_count=int(s["pendingCount"]),
            task_definition=s["taskDefinition"],
        )

    def scale_service(self, cluster: str, name: str, desired_count: int) -> ServiceInfo:
        """Set the desired task count by hand (autoscaling moves it again within its min..max)."""
        if desired_count < 0:
            raise InvalidArgument(f"desired_count must be >= 0, got {desired_count}")
        with aws_errors("ecs.update_service"):
            self.ecs.update_service(cluster=cluster, service=name, desiredCount=desired_count)
        return self.describe_service(cluster, name)

    def enable_autoscaling(
        self,
        cluster: str,
        service: str,
        *,
        min_tasks: int = 1,
        max_tasks: int = 4,
        target_cpu_percent: float = 60.0,
        scale_out_cooldown: int = 60,
        scale_in_cooldown: int = 300,
    ) -> Autoscaling:
        """See :func:`~aws_ai_services.containers.ecs_autoscaling.enable_autoscaling`."""
        return enable_autoscaling(
            self.autoscaling,
            cluster,
            service,
            min_tasks=min_tasks,
            max_tasks=max_tasks,
            target_cpu_percent=target_cpu_percent,
            scale_out_cooldown=scale_out_cooldown,
            scale_in_cooldown=scale_in_cooldown,
        )

    # ------------------------------------------------------------------ all together
    def deploy(
        self,
        name: str,
        image: str,
        model_s3_uri: str,
        *,
        desired_count: int = 2,
        size: TaskSize | None = None,
        model_bytes: int = 0,
        min_tasks: int = 1,
        max_tasks: int = 4,
        target_cpu_percent: float = 60.0,
    ) -> EcsDeployment:
        """Cluster, network, task definition (sized from ``model_bytes``), service and autoscaling.

        The cluster, task family and service are all called ``name``.
        """
        size = size or size_for_model(model_bytes)[1]
        cluster_arn = self.create_cluster(name)
        network = default_network(self.ec2, f"{name}-tasks", CONTAINER_PORT)
        task_definition = self.register_task_definition(name, image, model_s3_uri=model_s3_uri, size=size)
        service = self.create_service(
            name, name, task_definition.arn, desired_count=desired_count, network=network
        )
        scaling = self.enable_autoscaling(
            name, name, min_tasks=min_tasks, max_tasks=max_tasks, target_cpu_percent=target_cpu_percent
        )
        roles = (task_definition.execution_role, task_definition.task_role)
        return EcsDeployment(name, cluster_arn, task_definition, service, scaling, network, roles)

    def teardown(self, deployment: EcsDeployment) -> list[str]:
        """Delete what :meth:`deploy` created, dependants first; returns what was deleted."""
        deleted: list[str] = []
        cluster, service = deployment.cluster, deployment.service.name
        if deployment.autoscaling:
            deleted += delete_autoscaling(self.autoscaling, deployment.autoscaling)
        try:
            with aws_errors("ecs.delete_service"):
                self.ecs.update_service(cluster=cluster, service=service, desiredCount=0)
                self.ecs.delete_service(cluster=cluster, service=service, force=True)
            deleted.append(f"ecs service {service}")
        except NotFound:
            pass
        with aws_errors("ecs.deregister_task_definition"):
            self.ecs.deregister_task_definition(taskDefinition=deployment.task_definition.arn)
        deleted.append(
            f"task definition {deployment.task_definition.family}:{deployment.task_definition.revision}"
        )
        try:
            with aws_errors("ecs.delete_cluster"):
                self.ecs.delete_cluster(cluster=cluster)
            deleted.append(f"ecs cluster {cluster}")
        except NotFound:
            pass
        try:
            with aws_errors("logs.delete_log_group"):
                self.logs.delete_log_group(logGroupName=deployment.task_definition.log_group)
            deleted.append(f"log group {deployment.task_definition.log_group}")
        except NotFound:
            pass
        deleted += [f"iam role {role}" for role in deployment.roles if delete_role(self.iam, role)]
        if delete_security_group(self.ec2, deployment.network.security_group_id):
            deleted.append(f"security group {deployment.network.security_group_id}")
        return deleted
