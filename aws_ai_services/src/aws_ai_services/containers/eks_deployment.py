"""An EKS cluster and managed node group for model serving, and whether the manifests fit on its nodes.

Control plane only: in local mode moto records the cluster and node group (ACTIVE at once; on AWS a
cluster takes ~10 minutes) but runs no Kubernetes API server, so the manifests from ``k8s_manifests`` are
validated offline rather than applied. On AWS: ``aws eks update-kubeconfig --name NAME`` then
``kubectl apply -f manifests.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.core.settings import Settings, get_settings
from multi_cloud.iac.findings import Finding
from multi_cloud.iac.k8s_quantities import parse_quantity

from aws_ai_services.containers.image_build import CONTAINER_PORT
from aws_ai_services.containers.network import Network, default_network, delete_security_group
from aws_ai_services.containers.roles import delete_role, ensure_role
from aws_ai_services.errors import aws_errors
from aws_ai_services.session import ServiceClient

KUBERNETES_VERSION = "1.32"
CLUSTER_POLICIES = ("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
#: what the kubelet and system daemons keep for themselves (approximates EKS's kube-reserved)
RESERVED_CPU_MILLICORES = 100
RESERVED_MEMORY_MIB = 255
ALLOCATABLE_MEMORY_FRACTION = 0.9
_WAIT = {"Delay": 15, "MaxAttempts": 80}


@dataclass(frozen=True)
class EksCluster:
    name: str
    arn: str
    status: str
    version: str
    endpoint: str
    role: str
    network: Network
    missing_managed_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeGroup:
    cluster: str
    name: str
    status: str
    capacity_type: str
    instance_types: tuple[str, ...]
    min_size: int
    max_size: int
    desired_size: int
    role: str
    missing_managed_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeCapacity:
    """What one node offers pods after the kubelet's reservation."""

    instance_type: str
    vcpus: int
    memory_mib: int
    allocatable_cpu: float
    allocatable_memory_bytes: float


class EksDeployer:
    """EKS, EC2 and IAM calls for a model-serving cluster."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    eks = ServiceClient("eks")

    ec2 = ServiceClient("ec2")

    iam = ServiceClient("iam")

    def create_cluster(self, name: str, *, version: str = KUBERNETES_VERSION) -> EksCluster:
        """The control plane in the default VPC's subnets; waits until ACTIVE."""
        role = ensure_role(
            self.iam, f"{name}-cluster", "eks.amazonaws.com", managed_policy_arns=CLUSTER_POLICIES
        )
        network = default_network(self.ec2, f"{name}-nodes", CONTAINER_PORT)
        with aws_errors("eks.create_cluster"):
            self.eks.create_cluster(
                name=name,
                version=version,
                roleArn=role.arn,
                resourcesVpcConfig={
                    "subnetIds": list(network.subnet_ids),
                    "securityGroupIds": [network.security_group_id],
                    "endpointPublicAccess": True,
                    "endpointPrivateAccess": True,
                },
                logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]},
            )
            self.eks.get_waiter("cluster_active").wait(name=name, WaiterConfig=_WAIT)
            cluster = self.eks.describe_cluster(name=name)["cluster"]
        return EksCluster(
            name=name,
            arn=cluster["arn"],
            status=cluster["status"],
            version=cluster.get("version", version),
            endpoint=cluster.get("endpoint", ""),
            role=role.name,
            network=network,
            missing_managed_policies=role.missing_managed_policies,
        )

    def cluster_status(self, name: str) -> str:
        """CREATING, ACTIVE, DELETING, FAILED or UPDATING; NotFound once the cluster is gone."""
        with aws_errors("eks.describe_cluster"):
            return str(self.eks.describe_cluster(name=name)["cluster"]["status"])

    def create_nodegroup(
        self,
        cluster: EksCluster,
        name: str,
        *,
        instance_types: Sequence[str] = ("m5.large",),
        capacity_type: str = "ON_DEMAND",
        min_size: int = 1,
        max_size: int = 3,
        desired_size: int = 2,
        labels: Mapping[str, str] | None = None,
    ) -> NodeGroup:
        """A managed node group. For SPOT give several instance types, so one reclaimed pool is not fatal."""
        if capacity_type not in CAPACITY_TYPES:
            raise InvalidArgument(f"capacity_type must be one of {CAPACITY_TYPES}, got {capacity_type!r}")
        if not 0 <= min_size <= desired_size <= max_size or max_size < 1:
            raise InvalidArgument(
                f"need 0 <= min_size <= desired_size <= max_size, got {min_size}/{desired_size}/{max_size}"
            )
        role = ensure_role(
            self.iam, f"{cluster.name}-{name}-node", "ec2.amazonaws.com", managed_policy_arns=NODE_POLICIES
        )
        with aws_errors("eks.create_nodegroup"):
            self.eks.create_nodegroup(
                clusterName=cluster.name,
                nodegroupName=name,
                scalingConfig={"minSize": min_size, "maxSize": max_size, "desiredSize": desired_size},
                subnets=list(cluster.network.subnet_ids),
                instanceTypes=list(instance_types),
                capacityType=capacity_type,
                amiType="AL2023_x86_64_STANDARD",
                nodeRole=role.arn,
                labels={"workload": "model-serving", **(labels or {})},
                updateConfig={"maxUnavailable": 1},
            )
            self.eks.get_waiter("nodegroup_active").wait(
                clusterName=cluster.name, nodegroupName=name, WaiterConfig=_WAIT
            )
            group = self.eks.describe_nodegroup(clusterName=cluster.name, nodegroupName=name)["nodegroup"]
        scaling = group["scalingConfig"]
        return NodeGroup(
            cluster=cluster.name,
            name=name,
            status=group["status"],
            capacity_type=group.get("capacityType", capacity_type),
            instance_types=tuple(group.get("instanceTypes", instance_types)),
            min_size=int(scaling["minSize"]),
            max_size=int(scaling["maxSize"]),
            desired_size=int(scaling["desiredSize"]),
            role=role.name,
            missing_managed_policies=role.missing_managed_policies,
        )

    def node_capacity(self, instance_type: str) -> NodeCapacity:
        """vCPUs and memory of ``instance_type`` (EC2 DescribeInstanceTypes) minus the kubelet's share."""
        with aws_errors("ec2.describe_instance_types"):
            found = self.ec2.describe_instance_types(InstanceTypes=[instance_type])["InstanceTypes"]
        if not found:
            raise NotFound(
                f"EC2 has no instance type {instance_type!r}",
                provider="aws",
                operation="ec2.describe_instance_types",
            )
        vcpus, memory = int(found[0]["VCpuInfo"]["DefaultVCpus"]), int(found[0]["MemoryInfo"]["SizeInMiB"])
        allocatable_cpu = (vcpus * 1000 - RESERVED_CPU_MILLICORES) / 1000
        allocatable_memory = (memory * ALLOCATABLE_MEMORY_FRACTION - RESERVED_MEMORY_MIB) * 2**20
        return NodeCapacity(instance_type, vcpus, memory, allocatable_cpu, allocatable_memory)

    def capacity_findings(self, manifests: Sequence[Mapping[str, Any]], group: NodeGroup) -> list[Finding]:
        """Whether one pod fits a node, and whether the HPA's maximum fits the group at its max size."""
        node = min(
            (self.node_capacity(t) for t in group.instance_types), key=lambda n: n.allocatable_memory_bytes
        )
        findings: list[Finding] = []
        autoscalers = {
            m["spec"]["scaleTargetRef"]["name"]: m
            for m in manifests
            if m.get("kind") == "HorizontalPodAutoscaler"
        }
        for deployment in (m for m in manifests if m.get("kind") == "Deployment"):
            name = deployment["metadata"]["name"]
            containers = deployment["spec"]["template"]["spec"]["containers"]
            cpu = sum(parse_quantity(c["resources"]["requests"]["cpu"]) for c in containers)
            memory = sum(parse_quantity(c["resources"]["requests"]["memory"]) for c in containers)
            where = f"Deployment/{name} on {node.instance_type}"
            if cpu > node.allocatable_cpu or memory > node.allocatable_memory_bytes:
                findings.append(
                    Finding(
                        "error",
                        "pod-does-not-fit",
                        f"a pod requests {cpu:g} CPU and {memory / 2**20:.0f} MiB; a node offers "
                        f"{node.allocatable_cpu:g} CPU and {node.allocatable_memory_bytes / 2**20:.0f} MiB",
                        where,
                    )
                )
                continue
            per_node = int(min(node.allocatable_cpu // cpu, node.allocatable_memory_bytes // memory))
            wanted = (
                autoscalers.get(name, {})
                .get("spec", {})
                .get("maxReplicas", deployment["spec"].get("replicas", 1))
            )
            if wanted > per_node * group.max_size:
                findings.append(
                    Finding(
                        "warning",
                        "max-replicas-exceed-nodes",
                        f"{wanted} replicas need "
                        f"{-(-wanted // per_node)} nodes ({per_node} pods per node); the group stops at "
                        f"{group.max_size}: raise max_size or add Cluster Autoscaler/Karpenter headroom",
                        where,
                    )
                )
        return findings

    def teardown(self, cluster: EksCluster) -> list[str]:
        """Delete the node groups (waiting for each), then the cluster, its roles and security group."""
        deleted: list[str] = []
        try:
            with aws_errors("eks.list_nodegroups"):
                groups = self.eks.list_nodegroups(clusterName=cluster.name)["nodegroups"]
        except NotFound:
            groups = []
        for group in groups:
            with aws_errors("eks.delete_nodegroup"):
                role_arn = self.eks.describe_nodegroup(clusterName=cluster.name, nodegroupName=group)[
                    "nodegroup"
                ]["nodeRole"]
                self.eks.delete_nodegroup(clusterName=cluster.name, nodegroupName=group)
                self.eks.get_waiter("nodegroup_deleted").wait(
                    clusterName=cluster.name, nodegroupName=group, WaiterConfig=_WAIT
                )
            deleted.append(f"eks node group {group}")
            if delete_role(self.iam, role_arn.rsplit("/", 1)[-1]):
                deleted.append(f"iam role {role_arn.rsplit('/', 1)[-1]}")
        try:
            with aws_errors("eks.delete_cluster"):
                self.eks.delete_cluster(name=cluster.name)
                self.eks.get_waiter("cluster_deleted").wait(name=cluster.name, WaiterConfig=_WAIT)
            deleted.append(f"eks cluster {cluster.name}")
        except NotFound:
            pass
        if delete_role(self.iam, cluster.role):
            deleted.append(f"iam role {cluster.role}")
        if delete_security_group(self.ec2, cluster.network.security_group_id):
            deleted.append(f"security group {cluster.network.security_group_id}")
        return deleted
